// A stand-in for ALSA's arecord, run as a real process: checks it got exactly the raw 16 kHz mono
// arguments, logs its pid and argv to $FAKE_ARECORD_LOG, then streams $FAKE_ARECORD_WAV's PCM to
// stdout in 10 ms pieces, looping, until killed. $FAKE_ARECORD_FAIL=1 makes it fail at once.
import { appendFileSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const log = process.env['FAKE_ARECORD_LOG'];
if (log) appendFileSync(log, `${JSON.stringify({ pid: process.pid, args })}\n`);

const device = args[2];
const expected = ['-q', '-D', device, '-t', 'raw', '-f', 'S16_LE', '-r', '16000', '-c', '1'];
if (device === undefined || JSON.stringify(args) !== JSON.stringify(expected)) {
  process.stderr.write(`arecord: unexpected arguments ${JSON.stringify(args)}\n`);
  process.exit(64);
}
if (process.env['FAKE_ARECORD_FAIL'] === '1') {
  process.stderr.write(`arecord: main:831: audio open error: No such file or directory\n`);
  process.exit(1);
}

const wav = readFileSync(process.env['FAKE_ARECORD_WAV'] ?? '');
const pcm = wav.subarray(44); // the fixtures have a canonical 44-byte header
const speed = Number(process.env['FAKE_ARECORD_SPEED'] ?? 1); // 1 = real time
let offset = 0;
const timer = setInterval(() => {
  // 10 ms of audio per tick, in an odd-sized piece to exercise frame reassembly
  const n = 320 * speed;
  const piece = Buffer.alloc(n);
  for (let i = 0; i < n; i++) piece[i] = pcm[(offset + i) % pcm.length]!;
  offset = (offset + n) % pcm.length;
  process.stdout.write(piece.subarray(0, 157));
  process.stdout.write(piece.subarray(157));
}, 10);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
