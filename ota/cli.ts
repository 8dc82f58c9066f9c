#!/usr/bin/env node
// `wulf-ota`: the workstation side of model updates — signing keys, building and verifying
// signed model.bin bundles. The format lives in src/ota; this tool only drives it.
import { generateKeyPairSync, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { readFile, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { buildBundle, BundleError, keyId, loadPublicKey, verifyBundle, type Manifest, type PayloadInput } from '../src/ota/index.js';
import { createReadStream } from 'node:fs';
import { MultiBar, Presets } from 'cli-progress';
import { BrokerUnreachable, connectClient } from '../src/mqtt/index.js';
import { configSchema } from '../src/config/index.js';
import { onlineDevices, pushToDevice, serveFiles } from './push.js';

const program = new Command('wulf-ota').description('build, sign and verify Wulf model.bin bundles').showHelpAfterError();
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};
const collect = (v: string, prev: string[]) => [...prev, v];

/** A broker connection, or exit 3 with the reason. */
async function connectOrExit(url: string): Promise<import('mqtt').MqttClient> {
  try {
    return await connectClient(url, 5000, {}, 'wulf-ota');
  } catch (err) {
    if (!(err instanceof BrokerUnreachable)) throw err;
    process.stderr.write(`wulf-ota: ${err.message}\n`);
    process.exit(3);
  }
}

program
  .command('keygen')
  .description('make an ed25519 signing key pair: NAME.key (private, keep it on the workstation) and NAME.pub (goes on every board)')
  .requiredOption('--out <dir>', 'directory for the key files')
  .option('--name <name>', 'file name stem', 'wulf-ota')
  .action(async (flags: { out: string; name: string }) => {
    const keyFile = path.join(flags.out, `${flags.name}.key`);
    const pubFile = path.join(flags.out, `${flags.name}.pub`);
    if (await access(keyFile).then(() => true, () => false)) {
      process.stderr.write(`wulf-ota: ${keyFile} exists; refusing to overwrite a signing key\n`);
      process.exit(1);
    }
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await writeFile(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    await writeFile(pubFile, publicKey.export({ format: 'pem', type: 'spki' }), { mode: 0o644 });
    process.stdout.write(`key id ${keyId(publicKey)}\nprivate: ${keyFile}\npublic:  ${pubFile}\n`);
  });

program
  .command('build')
  .description('build a signed model.bin from a .tflite and its companions')
  .requiredOption('--model <file>', 'the .tflite model')
  .requiredOption('--name <name>', 'model name (e.g. neurolite-tiny)')
  .requiredOption('--kind <kind>', 'nlu | generator | speech | wake')
  .requiredOption('--version <n>', 'version, monotonic per model name', positiveInt)
  .requiredOption('--key <file>', 'private signing key (from keygen)')
  .requiredOption('--out <file>', 'output bundle (model.bin)')
  .option('--tokenizer <file>', 'tokenizer file')
  .option('--labels <file>', 'labels file')
  .option('--golden <file>', 'JSON array of golden cases {input, expected, tolerance?}')
  .option('--metrics <file>', 'JSON object of evaluation metrics')
  .option('--recipe <text>', 'training recipe', 'unknown')
  .option('--data-hash <hash>', 'training data hash')
  .option('--parent-version <n>', 'version this one was fine-tuned from', positiveInt)
  .option('--min-runtime <version>', 'minimum wulf runtime version', '0.1.0')
  .option('--extra <file>', 'another payload file (repeatable)', collect, [])
  .action(async (f: { model: string; name: string; kind: string; version: number; key: string; out: string; tokenizer?: string; labels?: string; golden?: string; metrics?: string; recipe: string; dataHash?: string; parentVersion?: number; minRuntime: string; extra: string[] }) => {
    const privateKey = createPrivateKey(await readFile(f.key, 'utf8'));
    const publicKey = createPublicKey(privateKey);
    const payloads: PayloadInput[] = [{ name: path.basename(f.model), role: 'model', data: await readFile(f.model) }];
    if (f.tokenizer) payloads.push({ name: path.basename(f.tokenizer), role: 'tokenizer', data: await readFile(f.tokenizer) });
    if (f.labels) payloads.push({ name: path.basename(f.labels), role: 'labels', data: await readFile(f.labels) });
    for (const e of f.extra) payloads.push({ name: path.basename(e), role: 'other', data: await readFile(e) });
    const json = async (file?: string) => (file ? (JSON.parse(await readFile(file, 'utf8')) as unknown) : undefined);
    try {
      const bundle = await buildBundle(
        {
          bundleId: randomUUID(),
          model: { name: f.name, kind: f.kind as Manifest['model']['kind'] },
          version: f.version,
          minRuntimeVersion: f.minRuntime,
          createdAt: new Date().toISOString(),
          provenance: { recipe: f.recipe, dataHash: f.dataHash ?? null, parentVersion: f.parentVersion ?? null, metrics: ((await json(f.metrics)) ?? {}) as Record<string, unknown> },
          golden: ((await json(f.golden)) ?? []) as Manifest['golden'],
        },
        payloads,
        privateKey,
        publicKey,
      );
      await writeFile(f.out, bundle);
      process.stdout.write(`wrote ${f.out}: ${f.name} v${f.version}, ${payloads.length} payloads, ${bundle.length} bytes, key ${keyId(publicKey)}\n`);
    } catch (err) {
      process.stderr.write(`wulf-ota: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

program
  .command('verify <bundle>')
  .description('check a bundle: signature by a trusted key, manifest, every payload hash')
  .requiredOption('--trust <pubkey>', 'trusted public key (repeatable)', collect, [])
  .option('--max-bytes <n>', 'size limit', positiveInt, 512 * 2 ** 20)
  .option('--json', 'print the manifest as JSON')
  .action(async (file: string, f: { trust: string[]; maxBytes: number; json?: boolean }) => {
    try {
      const keys = await Promise.all(f.trust.map(async (k) => loadPublicKey(await readFile(k, 'utf8'))));
      const v = await verifyBundle(createReadStream(file), { trustedKeys: keys, maxBundleBytes: f.maxBytes });
      if (f.json) process.stdout.write(`${JSON.stringify({ ok: true, keyId: v.keyId, manifest: v.manifest })}\n`);
      else process.stdout.write(`OK ${v.manifest.model.name} v${v.manifest.version} (${v.manifest.model.kind}), signed by ${v.keyId}, ${v.manifest.payloads.map((p) => `${p.name} ${p.size} B`).join(', ')}, ${v.manifest.golden.length} golden cases\n`);
    } catch (err) {
      const code = err instanceof BundleError ? err.code : 'io';
      if (f.json) process.stdout.write(`${JSON.stringify({ ok: false, code, message: (err as Error).message })}\n`);
      process.stderr.write(`wulf-ota: REJECTED (${code}): ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

program
  .command('push <bundle>')
  .description('offer a bundle to one device or the whole fleet and wait for each final state (exit 0 only if every device committed)')
  .option('--device <id>', 'device id (repeatable)', collect, [])
  .option('--all', 'every device that is online on the broker')
  .option('--broker <url>', 'broker URL', process.env.WULF_MQTT_URL ?? 'mqtt://127.0.0.1:1883')
  .option('--prefix <prefix>', 'topic prefix', 'wulf')
  .option('--via <transport>', 'mqtt (chunks over the broker) or http (range requests to a server this command starts)', 'mqtt')
  .option('--http-host <host>', 'for --via http: the address devices reach this machine at', '127.0.0.1')
  .option('--http-port <port>', 'for --via http: the port to serve on (0 = any)', (v) => Number(v), 0)
  .option('--chunk-size <bytes>', 'MQTT chunk size', positiveInt, 64 * 1024)
  .option('--timeout <ms>', 'how long to wait for each device', positiveInt, 600_000)
  .option('--json', 'print the results as JSON')
  .action(async (file: string, f: { device: string[]; all?: boolean; broker: string; prefix: string; via: string; httpHost: string; httpPort: number; chunkSize: number; timeout: number; json?: boolean }) => {
    if (f.via !== 'mqtt' && f.via !== 'http') {
      process.stderr.write('wulf-ota: --via must be mqtt or http\n');
      process.exit(2);
    }
    const bundle = await readFile(file);
    const client = await connectOrExit(f.broker);
    // From here on the push survives a broker restart: reconnect, resubscribe, keep waiting.
    client.options.reconnectPeriod = 1000;
    const devices = f.all ? await onlineDevices(client, f.prefix) : f.device;
    if (!devices.length) {
      process.stderr.write('wulf-ota: no device to push to (name one with --device, or --all with devices online)\n');
      await client.endAsync();
      process.exit(2);
    }
    const server = f.via === 'http' ? await serveFiles(path.dirname(path.resolve(file)), f.httpPort, f.httpHost) : null;
    const url = server ? `http://${f.httpHost}:${(server.address() as import('node:net').AddressInfo).port}/${encodeURIComponent(path.basename(file))}` : undefined;
    // Progress on stderr (drawn only on a terminal), so --json output on stdout stays clean.
    const bars = new MultiBar({ format: '{device} |{bar}| {percentage}% {phase}', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
    const bar = new Map(devices.map((d) => [d, bars.create(100, 0, { device: d.padEnd(16), phase: 'offered' })]));
    const results = await Promise.all(devices.map((deviceId) => pushToDevice({
      client, prefix: f.prefix, deviceId, bundle, via: f.via as 'mqtt' | 'http', ...(url ? { url } : {}), chunkSize: f.chunkSize, timeoutMs: f.timeout,
      onProgress: (d, s) => bar.get(d)?.update(Math.round((s.progress ?? 0) * 100), { device: d.padEnd(16), phase: s.phase }),
    })));
    bars.stop();
    server?.close();
    await client.endAsync();
    if (f.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    else for (const r of results) process.stdout.write(`${r.deviceId}: ${r.result}${r.version ? ` (v${r.version})` : ''}${r.reason ? ` — ${r.reason}` : ''}\n`);
    process.exitCode = results.every((r) => r.result === 'committed') ? 0 : results.some((r) => r.result === 'timeout') ? 4 : 1;
  });

program
  .command('status')
  .description("the fleet: each device's online state, models in service, and last update result")
  .option('--broker <url>', 'broker URL', process.env.WULF_MQTT_URL ?? 'mqtt://127.0.0.1:1883')
  .option('--prefix <prefix>', 'topic prefix', 'wulf')
  .option('--wait <ms>', 'how long to collect retained states', (v) => Number(v), 1000)
  .option('--json', 'print JSON')
  .action(async (f: { broker: string; prefix: string; wait: number; json?: boolean }) => {
    const client = await connectOrExit(f.broker);
    const fleet = new Map<string, { online: boolean; ota: Record<string, unknown> | null }>();
    client.on('message', (topic, payload) => {
      const [, id, a, b] = topic.split('/');
      if (!id) return;
      const entry = fleet.get(id) ?? { online: false, ota: null };
      if (a === 'status' && b === undefined) entry.online = payload.toString() === 'online';
      if (a === 'ota' && b === 'status') {
        try {
          entry.ota = JSON.parse(payload.toString()) as Record<string, unknown>;
        } catch {
          entry.ota = null; // a garbled status reads as none
        }
      }
      fleet.set(id, entry);
    });
    await client.subscribeAsync([`${f.prefix}/+/status`, `${f.prefix}/+/ota/status`], { qos: 1 });
    await new Promise((r) => setTimeout(r, f.wait));
    await client.endAsync();
    const rows = [...fleet.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([device, e]) => ({ device, online: e.online, models: e.ota?.models ?? {}, last: e.ota ? { bundleId: e.ota.bundleId, result: e.ota.result ?? e.ota.phase, version: e.ota.version, reason: e.ota.reason ?? null } : null }));
    if (f.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
    else for (const r of rows) process.stdout.write(`${r.device.padEnd(20)} ${r.online ? 'online ' : 'offline'}  models ${JSON.stringify(r.models)}  last ${r.last ? `${String(r.last.result)} v${String(r.last.version)}` : '-'}\n`);
  });

program
  .command('enroll')
  .description("a new board's settings (device id, broker, language, cloud mode, this fleet's trusted key) as the JSON that provisioning/install.sh --settings reads, and a first boot reads from the boot partition (wulf.json)")
  .requiredOption('--device-id <id>', 'the new board\'s device id')
  .requiredOption('--broker <url>', 'MQTT broker URL as the board will reach it')
  .option('--key <file>', 'the fleet signing key (its public half is what boards trust)')
  .option('--pub <file>', 'or the public key itself')
  .option('--mqtt-user <user>', 'broker user name')
  .option('--mqtt-password <password>', 'broker password (it ends up in a root-only file on the board)')
  .option('--language <lang>', 'en or fr')
  .option('--cloud-mode <mode>', 'off, when_unsure or always')
  .option('--out <file>', 'write it here (e.g. the SD card: /media/$USER/bootfs/wulf.json) instead of stdout')
  .action(async (f: { deviceId: string; broker: string; key?: string; pub?: string; mqttUser?: string; mqttPassword?: string; language?: string; cloudMode?: string; out?: string }) => {
    // Checked by the board's own config schema, so enroll never writes what install.sh would refuse.
    const candidate = { deviceId: f.deviceId, mqtt: { url: f.broker }, ...(f.language ? { language: f.language } : {}), ...(f.cloudMode ? { fluid: { mode: f.cloudMode } } : {}) };
    const flagOf: Record<string, string> = { deviceId: '--device-id', 'mqtt.url': '--broker', language: '--language', 'fluid.mode': '--cloud-mode' };
    const parsed = configSchema.safeParse(candidate);
    const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${flagOf[i.path.join('.')] ?? i.path.join('.')}: ${i.message}`);
    if (!f.key === !f.pub) problems.push('give exactly one of --key (the fleet signing key) or --pub (its public key)');
    if (problems.length) {
      process.stderr.write(`wulf-ota: ${problems.join('\n')}\n`);
      process.exit(2);
    }
    let pem: string;
    try {
      const key = f.key ? createPublicKey(createPrivateKey(await readFile(f.key, 'utf8'))) : createPublicKey(await readFile(f.pub!, 'utf8'));
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType} key, not ed25519`);
      pem = key.export({ format: 'pem', type: 'spki' }) as string;
    } catch (err) {
      process.stderr.write(`wulf-ota: ${f.key ?? f.pub}: not a usable ed25519 key (${(err as Error).message})\n`);
      process.exit(1);
    }
    const settings = {
      deviceId: f.deviceId,
      broker: f.broker,
      ...(f.mqttUser ? { mqttUsername: f.mqttUser } : {}),
      ...(f.mqttPassword ? { mqttPassword: f.mqttPassword } : {}),
      ...(f.language ? { language: f.language } : {}),
      ...(f.cloudMode ? { cloudMode: f.cloudMode } : {}),
      trustedKeys: [pem],
    };
    const body = `${JSON.stringify(settings, null, 2)}\n`;
    if (!f.out) return void process.stdout.write(body);
    await writeFile(f.out, body, { mode: 0o600 });
    process.stderr.write(`wrote ${f.out} (key id ${keyId(createPublicKey(pem))}). On the board: sudo ./install.sh --release wulf-<version>.tar.gz --settings ${path.basename(f.out)}, or leave it on the boot partition as wulf.json for the first boot.\n`);
  });

program
  .command('serve <dir>')
  .description('serve bundles over HTTP with range requests (for --via http pushes from another machine)')
  .option('--port <port>', 'port', (v) => Number(v), 8080)
  .option('--host <host>', 'address to listen on', '0.0.0.0')
  .action(async (dir: string, f: { port: number; host: string }) => {
    const server = await serveFiles(dir, f.port, f.host);
    process.stdout.write(`serving ${path.resolve(dir)} on http://${f.host}:${(server.address() as import('node:net').AddressInfo).port}/\n`);
  });

await program.parseAsync(process.argv);
