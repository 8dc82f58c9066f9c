// device/wulf.service passes `systemd-analyze verify` and keeps the promises the issue makes.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, tempDir } from '../helpers/paths.js';

const unitPath = path.join(repoRoot, 'device/wulf.service');

test('systemd-analyze verify passes on the unit', async (t) => {
  // verify checks that ExecStart's binary exists; point it at this machine's node, as install.sh does.
  const unit = (await readFile(unitPath, 'utf8')).replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `);
  const file = path.join(await tempDir(), 'wulf.service');
  await writeFile(file, unit);
  const result = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile('systemd-analyze', ['verify', file], (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }));
  });
  t.is(result.code, 0, result.out);
  t.notRegex(result.out, /wulf\.service:\d+:/, 'no warning about a line of our unit');
});

test('the unit is Type=notify with the watchdog, a dedicated user and hardening', async (t) => {
  const unit = await readFile(unitPath, 'utf8');
  for (const line of [
    'Type=notify',
    'NotifyAccess=main',
    'WatchdogSec=30',
    'Restart=on-failure',
    'StateDirectory=wulf',
    'ConfigurationDirectory=wulf',
    'User=wulf',
    'SupplementaryGroups=audio',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'NoNewPrivileges=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    'MemoryMax=512M',
  ]) {
    t.true(unit.split('\n').includes(line), line);
  }
});
