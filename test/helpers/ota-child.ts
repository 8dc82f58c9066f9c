// A process that runs the OTA agent once, for the kill -9 tests: `install` (optionally killing
// itself at a crash point or after N bundle bytes) or `status` (start, report, exit).
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import pino from 'pino';
import { OtaAgent, loadPublicKey, type Manifest } from '../../src/ota/index.js';

const [mode, stateDir, bundle, pubkey, crashAt] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const activeFile = path.join(stateDir, 'active.json');
const agent = new OtaAgent({
  stateDir,
  trustedKeys: [loadPublicKey(readFileSync(pubkey, 'utf8'))],
  maxBundleBytes: 64 * 2 ** 20,
  runtimeVersion: '0.1.0',
  // The model "loads" when its payload is where the manifest says and matches byte for byte.
  check: { check: async (files: Record<string, string>) => void readFileSync(files['model.tflite']!) },
  host: {
    activate: async (name: string, dir: string, manifest: Manifest) => {
      const bytes = readFileSync(path.join(dir, 'model.tflite'));
      writeFileSync(activeFile, JSON.stringify({ name, version: manifest.version, bytes: bytes.length }));
    },
  },
  probationTurns: 1000,
  probationMs: 300,
  log: pino({ level: 'silent' }),
  crashAt: crashAt && !crashAt.startsWith('bytes:') ? crashAt : null,
});
await agent.start();
if (mode === 'status') {
  process.stdout.write(`${JSON.stringify(agent.models())}\n`);
  process.exit(0);
}
let source = createReadStream(bundle);
if (crashAt?.startsWith('bytes:')) {
  const limit = Number(crashAt.slice(6));
  let seen = 0;
  source = source.pipe(new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen >= limit) process.kill(process.pid, 'SIGKILL');
      cb(null, chunk);
    },
  })) as unknown as typeof source;
}
const result = await agent.install(source, readFileSync(bundle).length);
process.stdout.write(`${JSON.stringify(result)}\n`);
agent.stop();
