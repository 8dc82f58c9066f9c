import test from 'ava';
import { chmod, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { configSchema, type TtsConfig } from '../../src/config/index.js';
import { AplaySink, FileSink, MemorySink, ProgramError, Speaker, espeakArgs, runProgram, speakableText, synthesize, wavSeconds, type AudioSink, type SpeakingEvent } from '../../src/voice/index.js';
import { tempDir } from '../helpers/paths.js';

const silent = pino({ level: 'silent' });
const cfg = (over: Partial<TtsConfig> = {}): TtsConfig => ({ ...configSchema.parse({}).audio.tts, ...over });

function capturingLog(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const dest = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(c.toString()) as Record<string, unknown>), cb()) });
  return { log: pino({ level: 'info' }, dest), lines };
}

/** espeak-ng's own reading of a text, as phoneme mnemonics. */
async function phonemes(text: string, voice: 'en-us' | 'fr-fr' = 'en-us'): Promise<string> {
  return (await runProgram('espeak-ng', ['-q', '-x', '-v', voice, '--stdin'], { stdin: text, timeoutMs: 10_000, maxStdoutBytes: 1 << 20 })).toString('utf8');
}

async function fakeProgram(dir: string, name: string, body: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, `#!/bin/sh\n${body}\n`);
  await chmod(p, 0o755);
  return p;
}

const hostile = [
  `He said "it's" 'quoted' \\"twice\\"`,
  'run $(touch MARKER) now',
  'and `touch MARKER` too',
  'then ; rm -rf MARKERDIR ; echo done && touch MARKER || touch MARKER',
  `<speak><audio src="file:///etc/passwd"/><break time="10s"/>hi</speak>`,
  `[[h@l'oU]] and [[[ nested ]]]`,
  '-v fr-fr --stdout -w MARKER',
];

test('hostile text is spoken as text: nothing runs, nothing is written, audio comes out', async (t) => {
  const dir = await tempDir('wulf-tts-');
  const marker = path.join(dir, 'pwned');
  for (const raw of hostile) {
    const text = raw.replaceAll('MARKERDIR', dir).replaceAll('MARKER', marker);
    const wav = await synthesize(speakableText(text, 600).text, { voice: 'en-us', speedWpm: 170, timeoutMs: 20_000 });
    t.true(wav.length > 44 + 1000, `audio for ${raw}`);
    t.is(wav.toString('ascii', 0, 4), 'RIFF');
  }
  await t.throwsAsync(stat(marker), { code: 'ENOENT' }, 'no command in the text ran');
  t.deepEqual(await readdir(dir), []);
});

test('the text goes on stdin and never onto the command line', async (t) => {
  const dir = await tempDir('wulf-tts-');
  const fake = await fakeProgram(dir, 'espeak-ng', `printf '%s\\n' "$@" > "${dir}/argv"\ncat > "${dir}/stdin"\nprintf 'RIFF'`);
  const text = speakableText(hostile.join(' '), 2000).text;
  await synthesize(text, { voice: 'en-gb', speedWpm: 150, timeoutMs: 5000, program: fake });
  t.deepEqual((await readFile(path.join(dir, 'argv'), 'utf8')).trim().split('\n'), espeakArgs('en-gb', 150));
  t.is(await readFile(path.join(dir, 'stdin'), 'utf8'), text);
  t.false(espeakArgs('en-gb', 150).includes('-m'), 'SSML interpretation stays off');
});

test('phoneme markup [[…]] is read out letter by letter, not as phonemes', async (t) => {
  const hello = await phonemes('hello');
  const raw = await phonemes(`[[h@l'oU]]`);
  t.is(raw.trim(), hello.trim(), 'espeak-ng itself does interpret [[…]] (so escaping is needed)');
  const safe = await phonemes(speakableText(`[[h@l'oU]]`, 600).text);
  t.not(safe.trim(), hello.trim());
  t.regex(safe, /_at_/, 'the @ is spoken as "at"');
});

test('SSML is read out as words, not obeyed', async (t) => {
  const p = await phonemes(speakableText('<speak><audio src="x.wav"/>hi</speak>', 600).text);
  t.regex(p, /sp'i:k/);
  t.regex(p, /'O:dI/);
});

test('voices outside the allow-list are refused before anything runs', (t) => {
  t.throws(() => espeakArgs('de' as never, 170), { message: /not allowed/ });
  t.throws(() => configSchema.parse({ audio: { tts: { voices: { en: '--stdout' } } } }));
  t.throws(() => configSchema.parse({ audio: { tts: { device: 'hw:0; rm -rf /' } } }));
});

test('French and English voices both produce audio', async (t) => {
  const fr = await synthesize('Bonjour, la lumière du salon est allumée.', { voice: 'fr-fr', speedWpm: 170, timeoutMs: 20_000 });
  const en = await synthesize('The living room light is on.', { voice: 'en-us', speedWpm: 170, timeoutMs: 20_000 });
  t.true(wavSeconds(fr) > 1);
  t.true(wavSeconds(en) > 1);
});

test('long text is cut at a word boundary to maxChars', (t) => {
  const long = 'word '.repeat(500);
  const { text, isTruncated } = speakableText(long, 600);
  t.true(isTruncated);
  t.true(text.length <= 600);
  t.true(text.endsWith('word'));
  t.false(speakableText('short', 600).isTruncated);
  t.is(speakableText('a\u0001b\u0000c', 600).text, 'a b c', 'control characters (espeak embedded commands) removed');
});

test('a stuck synthesizer is killed at the timeout and the queue moves on', async (t) => {
  const dir = await tempDir('wulf-tts-');
  const slow = await fakeProgram(dir, 'espeak-ng', `echo $$ > "${dir}/pid"\nexec sleep 60`);
  const { log, lines } = capturingLog();
  const speaker = new Speaker(cfg({ timeoutMs: 600 }), new MemorySink(), log, slow);
  const started = Date.now();
  speaker.say('this will hang', 'en');
  await speaker.idle();
  t.true(Date.now() - started < 5000);
  const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8'));
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the synthesizer is gone');
  t.true(lines.some((l) => l.msg === 'tts: utterance not spoken' && JSON.stringify(l.err).includes('killed')));
  await t.throwsAsync(runProgram(slow, [], { timeoutMs: 200, maxStdoutBytes: 10 }), { instanceOf: ProgramError, message: /killed/ });
});

/** A sink that holds each utterance until released, to fill the queue. */
class GatedSink implements AudioSink {
  readonly played: Buffer[] = [];
  private release: (() => void) | null = null;
  async play(wav: Buffer): Promise<void> {
    await new Promise<void>((r) => (this.release = r));
    this.played.push(wav);
  }
  open(): void {
    const r = this.release;
    this.release = null;
    r?.();
  }
}

test('utterances are spoken one at a time, in order; the oldest waiting one is dropped when full', async (t) => {
  const sink = new GatedSink();
  const { log, lines } = capturingLog();
  const speaker = new Speaker(cfg({ maxQueued: 2 }), sink, log);
  const events: SpeakingEvent[] = [];
  speaker.onSpeaking((e) => events.push(e));
  for (const w of ['one', 'two', 'three', 'four']) speaker.say(w, 'en');
  t.is(speaker.queuedCount, 2);
  while (!speaker.isSpeaking || events.length === 0) await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < 50 && (speaker.isSpeaking || speaker.queuedCount); i++) {
    sink.open();
    await new Promise((r) => setTimeout(r, 100));
  }
  await speaker.idle();
  const starts = events.filter((e) => e.isSpeaking).map((e) => e.utterance.text);
  t.deepEqual(starts, ['one', 'three', 'four'], '"two" was the oldest waiting when "four" came');
  t.deepEqual(events.map((e) => e.isSpeaking), [true, false, true, false, true, false], 'start and end alternate: never two at once');
  t.is(sink.played.length, 3);
  t.true(lines.some((l) => l.msg === 'tts queue full: dropped the oldest waiting utterance'));
});

test('speaking events bracket playback (half duplex)', async (t) => {
  const seen: boolean[] = [];
  let speaker!: Speaker;
  const sink: AudioSink = { play: async () => void seen.push(speaker.isSpeaking) };
  speaker = new Speaker(cfg(), sink, silent);
  const events: boolean[] = [];
  speaker.onSpeaking((e) => events.push(e.isSpeaking));
  speaker.say('hello there', 'en');
  await speaker.idle();
  t.deepEqual(events, [true, false]);
  t.deepEqual(seen, [true]);
  t.false(speaker.isSpeaking);
  await speaker.stop();
  t.false(speaker.say('after stop', 'en'));
});

test('FileSink writes playable WAV files with correct sizes', async (t) => {
  const dir = await tempDir('wulf-tts-');
  const speaker = new Speaker(cfg(), new FileSink(dir), silent);
  speaker.say('first', 'en');
  speaker.say('deuxième', 'fr');
  await speaker.idle();
  const files = (await readdir(dir)).sort();
  t.deepEqual(files, ['utterance-0001.wav', 'utterance-0002.wav']);
  const wav = await readFile(path.join(dir, files[0]!));
  t.is(wav.readUInt32LE(4), wav.length - 8);
  t.is(wav.readUInt32LE(40), wav.length - 44);
});

test('AplaySink plays through aplay to the configured ALSA device, and reports a bad device', async (t) => {
  const wav = await synthesize('ok', { voice: 'en-us', speedWpm: 170, timeoutMs: 10_000 });
  await t.notThrowsAsync(new AplaySink('null').play(wav));
  await t.throwsAsync(new AplaySink('nosuchdevice').play(wav), { instanceOf: ProgramError });
});
