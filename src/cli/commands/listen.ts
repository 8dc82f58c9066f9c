// `wulf listen --wav FILE [--realtime]` / `wulf listen --stdin`: a Hermes satellite on the command
// line. The audio goes to the running daemon as hermes/audioServer/<site>/audioFrame WAV chunks, so
// it takes the daemon's own path (wake word, end of speech, recognizer, the normal turn, the spoken
// reply); this prints what the daemon heard and answered. No pipeline runs in this process.
import type { Command } from 'commander';
import type { MqttClient } from 'mqtt';
import { encodeWav, readWav, toMono16k, WavError } from '../../audio/index.js';
import { deviceTopics, sharedTopics } from '../../mqtt/index.js';
import { AskFailure, connectClient } from '../ask-client.js';
import { configOrExit } from '../config-or-exit.js';

interface ListenFlags {
  config?: string;
  broker?: string;
  device?: string;
  wav?: string;
  stdin?: boolean;
  realtime?: boolean;
  site: string;
  chunkMs: number;
  tailMs: number;
  timeout: number;
  json?: boolean;
}

const RATE = 16_000;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error('must be a non-negative integer');
  return n;
}

interface Heard {
  sessionId: string;
  text: string;
}

/** Everything the daemon says about this site, in arrival order. */
class Watcher {
  readonly heard: Heard[] = [];
  replies: Array<{ id: string; text: string; intent: string | null }> = [];
  says = new Map<string, string>(); // sessionId → say id
  finished = new Set<string>(); // say ids
  private waiters: Array<() => void> = [];

  constructor(client: MqttClient, site: string, replyTopic: string) {
    client.on('message', (topic, payload) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        return;
      }
      if (topic === replyTopic) this.replies.push(body as unknown as Watcher['replies'][number]);
      else if (body.siteId !== site) return;
      else if (topic === 'hermes/asr/textCaptured') this.heard.push({ sessionId: String(body.sessionId), text: String(body.text ?? '') });
      else if (topic === 'hermes/tts/say' && typeof body.sessionId === 'string') this.says.set(body.sessionId, String(body.id));
      else if (topic === 'hermes/tts/sayFinished') this.finished.add(String(body.id));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async until<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }
}

async function* wavChunks(file: string, chunkSamples: number): AsyncGenerator<Int16Array> {
  let samples: Int16Array;
  try {
    samples = toMono16k(await readWav(file), file);
  } catch (err) {
    process.stderr.write(`wulf: ${err instanceof WavError ? err.message : (err as Error).message}\n`);
    process.exit(2);
  }
  for (let i = 0; i < samples.length; i += chunkSamples) yield samples.subarray(i, i + chunkSamples);
}

async function* stdinChunks(chunkSamples: number): AsyncGenerator<Int16Array> {
  let pending = Buffer.alloc(0);
  const bytes = chunkSamples * 2;
  for await (const data of process.stdin as AsyncIterable<Buffer>) {
    pending = Buffer.concat([pending, data]);
    while (pending.length >= bytes) {
      const piece = pending.subarray(0, bytes);
      pending = pending.subarray(bytes);
      yield new Int16Array(piece.buffer.slice(piece.byteOffset, piece.byteOffset + bytes));
    }
  }
  const whole = pending.length - (pending.length % 2);
  if (whole > 0) yield new Int16Array(pending.buffer.slice(pending.byteOffset, pending.byteOffset + whole));
}

export function registerListenCommand(program: Command): void {
  program
    .command('listen')
    .description('send speech to the running daemon as a Hermes satellite (a WAV file, or raw s16le 16 kHz mono on stdin) and print what it heard and answered')
    .option('-c, --config <file>', 'config file (default: $WULF_CONFIG, then /etc/wulf/config.json under systemd)')
    .option('--broker <url>', "broker URL (default: the config's, else the embedded broker address)")
    .option('--device <id>', "device id of the daemon (default: the config's)")
    .option('--wav <file>', 'a 16 kHz WAV (stereo is averaged)')
    .option('--stdin', 'raw s16le 16 kHz mono PCM on stdin (e.g. arecord -t raw -f S16_LE -r 16000 -c 1 | wulf listen --stdin)')
    .option('--realtime', 'send the WAV at real-time pace (stdin is paced by its writer)')
    .option('--site <id>', 'Hermes site id to speak as (one of the daemon\'s hermes.siteIds)', 'default')
    .option('--chunk-ms <ms>', 'audio per audioFrame message', positiveInt, 64)
    .option('--tail-ms <ms>', 'silence sent after the audio, so the end of speech is heard', positiveInt, 2000)
    .option('--timeout <ms>', 'how long to wait for what the daemon heard and answered after the audio', positiveInt, 20_000)
    .option('--json', 'print JSON: {heard, reply, spoken}')
    .action(async (flags: ListenFlags) => {
      if (!flags.wav === !flags.stdin) {
        process.stderr.write('wulf: give exactly one of --wav FILE or --stdin\n');
        process.exit(2);
      }
      const config = await configOrExit(flags.config);
      const url = flags.broker ?? config.mqtt.url ?? `mqtt://${config.mqtt.embedded.host}:${config.mqtt.embedded.port}`;
      const deviceId = flags.device ?? config.deviceId;
      const topics = deviceTopics(config.mqtt.topicPrefix, deviceId);
      const shared = sharedTopics(config.homeAssistant.discoveryPrefix);
      let client: MqttClient;
      try {
        client = await connectClient(url, 5000, { ...(config.mqtt.username ? { username: config.mqtt.username } : {}), ...(config.mqtt.password ? { password: config.mqtt.password } : {}) });
      } catch (err) {
        process.stderr.write(`wulf: ${(err as Error).message}\n`);
        process.exit(err instanceof AskFailure ? err.exitCode : 1);
      }
      const watcher = new Watcher(client, flags.site, topics.reply);
      await client.subscribeAsync([shared.hermesAsrTextCaptured, shared.hermesTtsSay, shared.hermesTtsSayFinished, topics.reply], { qos: 1 });
      const chunkSamples = Math.max(1, Math.round((flags.chunkMs * RATE) / 1000));
      const topic = shared.hermesAudioFrame(flags.site);
      const t0 = performance.now();
      let sent = 0;
      const send = async (pcm: Int16Array): Promise<void> => {
        if (flags.realtime && flags.wav) {
          const due = t0 + (sent / RATE) * 1000 - performance.now();
          if (due > 0) await new Promise((r) => setTimeout(r, due));
        }
        await client.publishAsync(topic, encodeWav(pcm, RATE), { qos: 1 });
        sent += pcm.length;
      };
      for await (const chunk of flags.wav ? wavChunks(flags.wav, chunkSamples) : stdinChunks(chunkSamples)) await send(chunk);
      for (let left = Math.round((flags.tailMs * RATE) / 1000); left > 0; left -= chunkSamples) await send(new Int16Array(Math.min(chunkSamples, left)));
      // What did it hear? Then the reply to that session's turn, then (when spoken) sayFinished.
      const heard = await watcher.until(() => watcher.heard[0], flags.timeout);
      let reply: Watcher['replies'][number] | undefined;
      let spoken = false;
      if (heard?.text) {
        reply = await watcher.until(() => watcher.replies.find((r) => r.id.startsWith(`voice-${heard.sessionId}`)), flags.timeout);
        const sayId = await watcher.until(() => watcher.says.get(heard.sessionId), 1000);
        if (sayId) spoken = (await watcher.until(() => (watcher.finished.has(sayId) ? true : undefined), flags.timeout)) === true;
      }
      await client.endAsync().catch(() => undefined);
      if (flags.json) process.stdout.write(`${JSON.stringify({ heard: heard?.text ?? null, reply: reply ?? null, spoken })}\n`);
      else {
        if (heard) process.stdout.write(`heard: ${heard.text || '(nothing recognized)'}\n`);
        if (reply) process.stdout.write(`${reply.text}\n`);
      }
      if (!heard) {
        process.stderr.write(`wulf: the daemon heard no command from site ${flags.site} within ${flags.timeout} ms (no wake word? is hermes.audio on and the site one of hermes.siteIds?)\n`);
        process.exitCode = 4;
      } else process.exitCode = reply ? 0 : 1;
    });
}
