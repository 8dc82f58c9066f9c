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

test('systemd-analyze security (offline) rates the unit at most 3.0 exposure', async (t) => {
  const out = await new Promise<string>((resolve) => execFile('systemd-analyze', ['security', '--offline=true', '--no-pager', unitPath], (_err, stdout, stderr) => resolve(stdout + stderr)));
  const score = Number(/Overall exposure level for wulf\.service: ([\d.]+)/.exec(out)?.[1]);
  t.false(Number.isNaN(score), out.slice(-400));
  t.true(score <= 3.0, `exposure ${score}`);
});
