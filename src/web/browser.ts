// A headless Chromium for the console's tests and `npm run screenshots` (development only: the
// board never runs a browser). Playwright drives Debian's `chromium` package, which .ci/setup
// installs; playwright-core downloads nothing.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.WULF_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string | null {
  return CANDIDATES.find((p): p is string => !!p && existsSync(p)) ?? null;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found: install Debian\'s chromium (bash .ci/setup does) or set WULF_CHROMIUM');
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start; the pages are our own.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
