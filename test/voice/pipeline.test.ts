// Voice end to end through the real daemon, a real mosquitto and the real `wulf` CLI: espeak-ng
// audio sent by `wulf listen`, Hermes messages checked with rhasspy-hermes, speech written by the
// file sink, the microphone (a fake arecord process) killed and back, garbage satellite frames.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { encodeWav, parseWav, to16kMono } from '../../src/audio/index.js';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder, type Received } from '../helpers/mqtt-client.js';
import { runCli } from '../helpers/cli.js';
import { referencePath } from '../helpers/reference.js';
import { tempDir } from '../helpers/paths.js';
import { buildWithRhasspy, concat, espeak, fakeArecordBin, hermesPython, parseWithRhasspy, playBytesTopic, satelliteFrames, silence, voiceModelsDir, wakeAndCommandWav, wavFile } from '../helpers/voice.js';

const devices = [{ id: 'kitchen.light', names: { en: ['kitchen light'], fr: ['lumière de la cuisine'] }, area: 'cuisine', domain: 'light', preset: 'tasmota', target: 'kitchen' }];
const areas = [{ id: 'cuisine', names: { en: ['kitchen'], fr: ['cuisine'] } }];
// No language model in tests: a routine gives the typed sentence its effect, and the spoken one the same.
const routines = [{ id: 'kitchen-on', phrases: { en: ['turn on the kitchen light'], fr: [] }, steps: [{ tool: 'home_control', args: { action: 'turn_on', deviceIds: ['kitchen.light'] } }] }];
const HERMES = ['hermes/hotword/+/detected', 'hermes/asr/startListening', 'hermes/asr/textCaptured', 'hermes/asr/stopListening', 'hermes/tts/say', 'hermes/tts/sayFinished'];

// A real recording from a Debian package (asterisk-core-sounds-en-wav, 8 kHz): Allison saying "Please try
// again." No package says a home command, so a routine takes the prompt's words as its phrase.
// pocketsphinx hears it exactly (agreement 0.45, the threshold is 0.16); "hello world", "call
// forwarding" and "please hold while we try to connect you" came back exactly too, by smaller margins.
const asteriskPrompt = '/usr/share/asterisk/sounds/en_US_f_Allison/please-try-again.wav';
const promptRoutine = { id: 'try-again', phrases: { en: ['please try again'], fr: [] }, steps: [{ tool: 'home_control', args: { action: 'turn_off', deviceIds: ['kitchen.light'] } }] };

test.before((t) => {
  if (!existsSync(hermesPython)) t.fail(`${hermesPython} is missing: run bash .ci/setup (it creates the Hermes venv)`);
  if (!existsSync(asteriskPrompt)) t.fail(`${asteriskPrompt} is missing: run bash .ci/setup-speech.sh (asterisk-core-sounds-en-wav)`);
});

interface Started {
  daemon: DaemonProcess;
  broker: Mosquitto;
  rec: Recorder;
  sinkDir: string;
  configFile: string;
  ask: (text: string) => Promise<Record<string, unknown>>;
  env: Record<string, string>;
}

async function start(t: { teardown: (fn: () => Promise<void> | void) => void }, audio: Record<string, unknown> = {}, env: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<Started> {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const sinkDir = await tempDir('wulf-tts-sink-');
  const config = {
    devices, areas, routines, tools: { enabled: ['home_control', 'voice_on', 'voice_off'] },
    audio: { modelsDir: await voiceModelsDir(), wake: { words: [{ id: 'okay_nabu' }] }, tts: { sink: { kind: 'file', dir: sinkDir } }, ...audio },
    ...extra,
  };
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url, ...env }, config });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const configFile = daemon.proc.spawnargs[daemon.proc.spawnargs.indexOf('--config') + 1]!;
  const rec = await Recorder.connect(broker.url);
  t.teardown(() => rec.end());
  const reply = `wulf/${daemon.deviceId}/reply`;
  await rec.subscribe([...HERMES, reply, `wulf/${daemon.deviceId}/error`, 'cmnd/#']);
  let n = 0;
  const ask = async (text: string) => {
    const id = `q${++n}`;
    await rec.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text, id, lang: 'en' }), { qos: 1 });
    return rec.waitJson(reply, id);
  };
  const cliEnv = { WULF_MQTT_URL: broker.url, WULF_DEVICE_ID: daemon.deviceId, WULF_STATE_DIR: daemon.stateDir };
  return { daemon, broker, rec, sinkDir, configFile, ask, env: cliEnv };
}

/** A reply without home_control's random opener ("", "Done: ", "OK, "). */
const sameReply = (text: string): string => text.replace(/^(Done: |OK, )/, '').replace(/^./, (c) => c.toLowerCase());
const hermesOf = (rec: Recorder): Received[] => rec.messages.filter((m) => m.topic.startsWith('hermes/'));
const asJson = (m: Received) => ({ topic: m.topic, payload: m.payload.toString() });

async function statusData(s: Started): Promise<{ voice: { microphone: { state: string; reason?: string }; vad: string; engines: Record<string, string>; enabled: boolean } }> {
  return (await s.ask('/status')).data as never;
}

test.serial('wulf listen --wav: wake word, then the Hermes messages in order, parsed by rhasspy-hermes; French (no engine) is reported, not hidden', async (t) => {
  const s = await start(t, {}, {}, { language: 'fr' });
  const { file } = await wakeAndCommandWav('allume la lumière de la cuisine', 700, 'fr-fr');
  const r = await runCli(['listen', '--wav', file, '--config', s.configFile, '--json'], s.env);
  t.is(r.code, 1, r.stderr); // heard, nothing recognized: no reply
  t.deepEqual(JSON.parse(r.stdout), { heard: '', reply: null, spoken: false });
  const hermes = hermesOf(s.rec);
  t.deepEqual(hermes.map((m) => m.topic), ['hermes/hotword/okay_nabu/detected', 'hermes/asr/startListening', 'hermes/asr/textCaptured', 'hermes/asr/stopListening']);
  const parsed = await parseWithRhasspy(hermes.map(asJson));
  t.deepEqual(parsed.map((p) => p.type), ['HotwordDetected', 'AsrStartListening', 'AsrTextCaptured', 'AsrStopListening']);
  t.is(parsed[0]!.wakeword_id, 'okay_nabu');
  t.is(parsed[0]!.parsed.modelId, 'okay_nabu');
  const session = parsed[1]!.parsed.sessionId;
  t.truthy(session);
  for (const p of parsed) t.is(p.parsed.siteId, 'default');
  for (const p of parsed.slice(1)) t.is(p.parsed.sessionId, session);
  t.is(parsed[1]!.parsed.wakewordId, 'okay_nabu');
  t.true((parsed[2]!.parsed.seconds as number) > 1);
  const st = await statusData(s);
  t.regex(st.voice.engines.en!, /^pocketsphinx \(/);
  t.regex(st.voice.engines.fr!, /^no engine for fr: no speech recognizer for fr/);
  t.is(st.voice.vad, 'model:vad');
  t.is(st.voice.microphone.state, 'off');
  await s.daemon.waitForLog((l) => l.msg === 'voice: no engine for fr; command dropped');
});

// The real recognizer (pocketsphinx over the grammar built from this config) hears espeak-ng's en-us voice.
test.serial('acceptance: the spoken command has the typed command\'s MQTT effect and reply, the reply is spoken to the file sink, Hermes in order', async (t) => {
  const s = await start(t);
  t.is((await s.ask('/voiceon')).intent, 'WulfVoiceOn');
  const typed = (await s.ask('turn on the kitchen light')) as { text: string; intent: string };
  const typedEffect = await s.rec.waitFor((m) => m.topic === 'cmnd/kitchen/POWER');
  t.is(typedEffect.payload.toString(), 'ON');
  s.rec.messages = [];
  const { file } = await wakeAndCommandWav('turn on the kitchen light');
  const r = await runCli(['listen', '--wav', file, '--config', s.configFile, '--json'], s.env, 60_000);
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { heard: string; reply: { text: string; intent: string }; spoken: boolean };
  t.is(out.heard, 'turn on the kitchen light');
  t.is(sameReply(out.reply.text), sameReply(typed.text), 'the same reply (home_control picks one of a few openers at random)');
  t.is(out.reply.intent, typed.intent);
  t.true(out.spoken);
  t.deepEqual(s.rec.messages.filter((m) => m.topic.startsWith('cmnd/')).map((m) => `${m.topic} ${m.payload.toString()}`), ['cmnd/kitchen/POWER ON']);
  const hermes = hermesOf(s.rec);
  t.deepEqual(hermes.map((m) => m.topic), ['hermes/hotword/okay_nabu/detected', 'hermes/asr/startListening', 'hermes/asr/textCaptured', 'hermes/asr/stopListening', 'hermes/tts/say', 'hermes/tts/sayFinished']);
  const parsed = await parseWithRhasspy(hermes.map(asJson));
  t.is(parsed[4]!.parsed.text, out.reply.text, 'the voice reply is what is spoken');
  const wavs = await readdir(s.sinkDir);
  t.deepEqual(wavs, ['utterance-0001.wav']);
  t.true(parseWav(await readFile(path.join(s.sinkDir, wavs[0]!))).samples.length > 10_000);
});

// The same acceptance with recorded speech only: a real "okay nabu" (the wake-word reference clips),
// 700 ms of silence, and the Asterisk prompt resampled from 8 kHz by the product's to16kMono.
test.serial('acceptance with recordings (a real wake word, a Debian-packaged prompt as the command): the typed command\'s MQTT effect and reply, spoken to the file sink', async (t) => {
  const s = await start(t, {}, {}, { routines: [...routines, promptRoutine] });
  t.is((await s.ask('/voiceon')).intent, 'WulfVoiceOn');
  const typed = (await s.ask('please try again')) as { text: string; intent: string };
  t.is(typed.intent, 'routine:try-again');
  t.is((await s.rec.waitFor((m) => m.topic === 'cmnd/kitchen/POWER')).payload.toString(), 'OFF');
  s.rec.messages = [];
  const wake = to16kMono(parseWav(await readFile(referencePath('voice', 'wakeword-clips', 'okay_nabu', '1.wav')), 'okay_nabu/1.wav'));
  const prompt = to16kMono(parseWav(await readFile(asteriskPrompt), asteriskPrompt));
  const file = await wavFile(concat([silence(300), wake, silence(700), prompt, silence(300)]));
  const r = await runCli(['listen', '--wav', file, '--config', s.configFile, '--json'], s.env, 60_000);
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { heard: string; reply: { text: string; intent: string }; spoken: boolean };
  t.is(out.heard, 'please try again');
  t.is(sameReply(out.reply.text), sameReply(typed.text));
  t.is(out.reply.intent, typed.intent);
  t.true(out.spoken);
  t.deepEqual(s.rec.messages.filter((m) => m.topic.startsWith('cmnd/')).map((m) => `${m.topic} ${m.payload.toString()}`), ['cmnd/kitchen/POWER OFF']);
  t.deepEqual(hermesOf(s.rec).map((m) => m.topic), ['hermes/hotword/okay_nabu/detected', 'hermes/asr/startListening', 'hermes/asr/textCaptured', 'hermes/asr/stopListening', 'hermes/tts/say', 'hermes/tts/sayFinished']);
  const wavs = await readdir(s.sinkDir);
  t.deepEqual(wavs, ['utterance-0001.wav'], 'only the voice turn\'s reply is spoken');
  t.true(parseWav(await readFile(path.join(s.sinkDir, wavs[0]!))).samples.length > 10_000);
});

test.serial('Wulf asks a question (a critical action to confirm): the question is spoken, then it listens again in the same session, no wake word', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const sinkDir = await tempDir('wulf-tts-sink-');
  const daemon = await DaemonProcess.start({
    env: { WULF_MQTT_URL: broker.url },
    config: {
      devices: [{ id: 'garage', names: { en: ['garage door'], fr: ['porte du garage'] }, domain: 'cover', preset: 'zigbee2mqtt', target: 'garage_door', critical: true }],
      routines: [{ id: 'garage', phrases: { en: ['open the garage'], fr: [] }, steps: [{ tool: 'home_control', args: { action: 'open', deviceIds: ['garage'] } }] }],
      tools: { enabled: ['home_control', 'voice_on'] },
      audio: { modelsDir: await voiceModelsDir(), tts: { sink: { kind: 'file', dir: sinkDir } } },
    },
  });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const rec = await Recorder.connect(broker.url);
  t.teardown(() => rec.end());
  await rec.subscribe([...HERMES, 'zigbee2mqtt/#', `wulf/${daemon.deviceId}/voice/state`]);
  await rec.client.publishAsync(`wulf/${daemon.deviceId}/ask`, '/voiceon', { qos: 1 });
  await rec.waitFor((m) => m.topic.endsWith('/voice/state') && m.payload.toString() === 'ON');
  const configFile = daemon.proc.spawnargs[daemon.proc.spawnargs.indexOf('--config') + 1]!;
  const { file } = await wakeAndCommandWav('open the garage');
  const r = await runCli(['listen', '--wav', file, '--config', configFile, '--json'], { WULF_MQTT_URL: broker.url, WULF_DEVICE_ID: daemon.deviceId, WULF_STATE_DIR: daemon.stateDir });
  t.regex((JSON.parse(r.stdout) as { reply: { text: string } }).reply.text, /garage door/i, r.stderr);
  const finished = await rec.waitFor((m) => m.topic === 'hermes/tts/sayFinished', 20_000);
  const again = await rec.waitFor((m) => m.topic === 'hermes/asr/startListening' && rec.messages.indexOf(m) > rec.messages.indexOf(finished));
  const topics = hermesOf(rec).map((m) => m.topic);
  t.deepEqual(topics, ['hermes/hotword/okay_nabu/detected', 'hermes/asr/startListening', 'hermes/asr/textCaptured', 'hermes/asr/stopListening', 'hermes/tts/say', 'hermes/tts/sayFinished', 'hermes/asr/startListening']);
  const first = JSON.parse(hermesOf(rec)[1]!.payload.toString()) as { sessionId: string };
  const second = JSON.parse(again.payload.toString()) as { sessionId: string; wakewordId: unknown };
  t.is(second.sessionId, first.sessionId);
  t.is(second.wakewordId, null);
  t.false(rec.messages.some((m) => m.topic.startsWith('zigbee2mqtt/')), 'nothing opened without a yes');
});

test.serial('Hermes tts/say (built by rhasspy-hermes) is spoken to the file sink when voice is on, only acknowledged when off', async (t) => {
  const s = await start(t);
  const say = async (text: string, id: string) => {
    const m = await buildWithRhasspy('say', text, 'default', id);
    await s.rec.client.publishAsync(m.topic, m.payload, { qos: 1 });
    const done = await s.rec.waitFor((x) => x.topic === 'hermes/tts/sayFinished' && (JSON.parse(x.payload.toString()) as { id: string }).id === id, 20_000);
    return (await parseWithRhasspy([asJson(done)]))[0]!;
  };
  t.is((await s.ask('/voiceoff')).intent, 'WulfVoiceOff');
  t.is((await say('not spoken', 'say-off')).parsed.id, 'say-off');
  t.deepEqual(await readdir(s.sinkDir), []);
  t.is((await s.ask('/voiceon')).intent, 'WulfVoiceOn');
  t.is((await say('hello from the satellite "$(rm -rf /)" [[a]]', 'say-on')).parsed.id, 'say-on');
  const wavs = await readdir(s.sinkDir);
  t.deepEqual(wavs, ['utterance-0001.wav'], 'written before sayFinished');
  const wav = parseWav(await readFile(path.join(s.sinkDir, wavs[0]!)));
  t.true(wav.samples.length / wav.sampleRate > 1, 'a real utterance');
  t.true((await statusData(s)).voice.enabled);
});

test.serial('garbage satellite frames are logged and dropped; the daemon keeps answering and still hears a good frame after them', async (t) => {
  const s = await start(t);
  const topic = 'hermes/audioServer/default/audioFrame';
  const eightBit = encodeWav(new Int16Array(100), 16_000);
  eightBit.writeUInt16LE(8, 34);
  const garbage = [Buffer.alloc(0), Buffer.from('not a wav'), Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt '), encodeWav(new Int16Array(100), 16_000).subarray(0, 50), eightBit, Buffer.alloc(70_000, 7), Buffer.from([0xff, 0xfe, 0x00])];
  for (const g of garbage) await s.rec.client.publishAsync(topic, g, { qos: 1 });
  await s.rec.client.publishAsync('hermes/asr/startListening', '{"siteId": 12', { qos: 1 });
  t.truthy((await s.ask('/status')).text, 'still answering');
  const ignored = s.daemon.logs.filter((l) => l.msg === 'ignored malformed message');
  t.is(ignored.length, garbage.length + 1);
  t.true(ignored.some((l) => /over 65536/.test(String(l.reason))));
  t.true(ignored.some((l) => /bit depth 8/.test(String(l.reason))));
  // A good one after the garbage: the wake word is heard.
  const file = await wavFile(concat([silence(300), await espeak('okay nabu'), silence(1500)]));
  await runCli(['listen', '--wav', file, '--config', s.configFile, '--timeout', '3000'], s.env);
  await s.rec.waitFor((m) => m.topic === 'hermes/hotword/okay_nabu/detected');
  t.is(s.daemon.proc.exitCode, null);
});

test.serial('MQTT wulf/<id>/listen and Hermes startListening (from rhasspy-hermes) start listening without a wake word', async (t) => {
  const s = await start(t);
  const command = await wavFile(concat([silence(300), await espeak('turn on the kitchen light'), silence(300)]));
  await s.rec.client.publishAsync(`wulf/${s.daemon.deviceId}/listen`, 'default', { qos: 1 });
  const started = await s.rec.waitFor((m) => m.topic === 'hermes/asr/startListening');
  const body = JSON.parse(started.payload.toString()) as { wakewordId: unknown; siteId: string; sessionId: string };
  t.is(body.wakewordId, null);
  t.is(body.siteId, 'default');
  const r = await runCli(['listen', '--wav', command, '--config', s.configFile, '--json'], s.env);
  const out = JSON.parse(r.stdout) as { heard: string; reply: { intent: string } | null; spoken: boolean };
  t.is(out.heard, 'turn on the kitchen light', r.stderr);
  t.is(out.reply?.intent, 'routine:kitchen-on');
  t.false(out.spoken, 'voice is off');
  t.deepEqual(hermesOf(s.rec).map((m) => m.topic), ['hermes/asr/startListening', 'hermes/asr/textCaptured', 'hermes/asr/stopListening']);
  t.is((JSON.parse(hermesOf(s.rec)[1]!.payload.toString()) as { sessionId: string }).sessionId, body.sessionId);

  s.rec.messages = [];
  const m = await buildWithRhasspy('start', 'default', 'dialogue-7');
  await s.rec.client.publishAsync(m.topic, m.payload, { qos: 1 });
  await runCli(['listen', '--wav', command, '--config', s.configFile], s.env);
  const captured = await s.rec.waitFor((x) => x.topic === 'hermes/asr/textCaptured');
  t.is((JSON.parse(captured.payload.toString()) as { sessionId: string }).sessionId, 'dialogue-7', 'the session of the request');
});

test.serial('the microphone process killed: status down, the daemon still answers, and up again when arecord is back', async (t) => {
  const bin = await fakeArecordBin();
  const log = path.join(await tempDir('wulf-arecord-log-'), 'log');
  const s = await start(t, { enabled: true, captureCommand: bin }, { FAKE_ARECORD_WAV: await wavFile(silence(1000)), FAKE_ARECORD_LOG: log });
  const until = async (state: string) => {
    for (let i = 0; i < 100; i++) {
      const st = await statusData(s);
      if (st.voice.microphone.state === state) return st;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`microphone never ${state}`);
  };
  await until('up');
  const first = JSON.parse((await readFile(log, 'utf8')).split('\n')[0]!) as { pid: number };
  process.kill(first.pid, 'SIGKILL');
  const down = await until('down');
  t.regex(down.voice.microphone.reason ?? '', /arecord killed by SIGKILL/);
  t.is((await s.ask('turn on the kitchen light')).intent, 'routine:kitchen-on', 'turns still work with the microphone down');
  const doctor = JSON.parse((await runCli(['doctor', '--json', '--config', s.configFile], s.env)).stdout) as Array<{ name: string; state: string; detail: string }>;
  const voice = doctor.find((c) => c.name === 'voice');
  t.regex(voice?.detail ?? '', /microphone (down|up)/, 'wulf doctor shows the running daemon\'s microphone');
  t.regex(voice?.detail ?? '', /VAD model:vad; pocketsphinx \(.*\), no engine for fr: /);
  t.regex(doctor.find((c) => c.name === 'wake words')?.detail ?? '', /okay_nabu in .*; vad model vad/);
  t.regex(doctor.find((c) => c.name === 'recognizer')?.detail ?? '', /^en: pocketsphinx_batch with .*; no engine for fr: no speech recognizer for fr/);
  await until('up');
  const lines = (await readFile(log, 'utf8')).trim().split('\n');
  t.true(lines.length >= 2, 'arecord was started again');
  await s.daemon.waitForLog('microphone down');
  t.is(s.daemon.proc.exitCode, null);
});

// Rhasspy 2.5 base/satellite: the satellite streams its microphone as audioFrames for its own site id;
// the reply goes back to it as playBytes, and sayFinished waits for its playFinished (or a timeout).
test.serial('a satellite\'s turn: the reply goes to the satellite as playBytes (a WAV), sayFinished after its playFinished, nothing on the board\'s sink; a silent satellite does not block', async (t) => {
  const site = 'satellite-1';
  const s = await start(t, {}, {}, { hermes: { siteIds: ['default', site], playFinishedSlackMs: 1000 } });
  await s.rec.subscribe([`hermes/audioServer/${site}/playBytes/+`, `hermes/audioServer/${site}/playFinished`]);
  t.is((await s.ask('/voiceon')).intent, 'WulfVoiceOn');
  const wav = await wavFile(concat([silence(500), await espeak('okay nabu'), silence(700), await espeak('turn on the kitchen light'), silence(2000)]));
  const frames = await satelliteFrames(site, wav);
  t.true(frames.every((f) => f.topic === `hermes/audioServer/${site}/audioFrame`));
  const turn = async () => {
    s.rec.messages = [];
    for (const f of frames) await s.rec.client.publishAsync(f.topic, f.payload, { qos: 1 });
    return s.rec.waitFor((m) => m.topic.startsWith(`hermes/audioServer/${site}/playBytes/`), 30_000, 'playBytes');
  };

  const play = await turn();
  const { siteId, requestId } = await playBytesTopic(play.topic);
  t.is(siteId, site);
  t.truthy(requestId);
  const reply = parseWav(play.payload, 'playBytes');
  t.true(reply.samples.length / reply.sampleRate > 0.5, 'a real utterance');
  t.deepEqual(s.rec.messages.filter((m) => m.topic.startsWith('cmnd/')).map((m) => `${m.topic} ${m.payload.toString()}`), ['cmnd/kitchen/POWER ON']);
  await new Promise((r) => setTimeout(r, 300));
  t.false(s.rec.messages.some((m) => m.topic === 'hermes/tts/sayFinished'), 'not finished before the satellite played it');
  const played = await buildWithRhasspy('played', site, requestId);
  await s.rec.client.publishAsync(played.topic, played.payload, { qos: 1 });
  const finished = await s.rec.waitFor((m) => m.topic === 'hermes/tts/sayFinished', 5000);
  const hermes = hermesOf(s.rec).filter((m) => !m.topic.includes('/audioServer/'));
  t.deepEqual(hermes.map((m) => m.topic), ['hermes/hotword/okay_nabu/detected', 'hermes/asr/startListening', 'hermes/asr/textCaptured', 'hermes/asr/stopListening', 'hermes/tts/say', 'hermes/tts/sayFinished']);
  const parsed = await parseWithRhasspy(hermes.map(asJson));
  for (const p of parsed) t.is(p.parsed.siteId, site);
  t.is(parsed[2]!.parsed.text, 'turn on the kitchen light');
  t.true(s.rec.messages.indexOf(finished) > s.rec.messages.findIndex((m) => m.topic === played.topic), 'sayFinished after playFinished');
  t.deepEqual(await readdir(s.sinkDir), [], 'the board played nothing itself');

  // The satellite never answers: sayFinished still comes, after the audio's length plus the slack.
  const second = await turn();
  const seconds = parseWav(second.payload).samples.length / reply.sampleRate;
  const sentAt = Date.now();
  await s.rec.waitFor((m) => m.topic === 'hermes/tts/sayFinished', seconds * 1000 + 5000);
  t.true(Date.now() - sentAt >= seconds * 1000 + 500, 'it waited for the satellite first');
  await s.daemon.waitForLog('voice: no playFinished from the satellite in time; going on');
  t.deepEqual(await readdir(s.sinkDir), []);
});
