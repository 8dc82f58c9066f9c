import test from 'ava';
import { TurnQueue } from '../../src/assistant/index.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

test('runs at most maxConcurrent jobs at once and all of them eventually', async (t) => {
  const q = new TurnQueue(3, 100);
  let running = 0;
  let peak = 0;
  let done = 0;
  for (let i = 0; i < 20; i++) {
    await q.admit(async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(5);
      running--;
      done++;
    });
  }
  t.true(await q.drain(5000));
  t.is(done, 20);
  t.is(peak, 3);
});

test('admit waits for room when the waiting line is full (backpressure)', async (t) => {
  const q = new TurnQueue(1, 2);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  await q.admit(() => gate); // running
  await q.admit(() => gate); // waiting 1
  await q.admit(() => gate); // waiting 2
  let admitted = false;
  const fourth = q.admit(async () => undefined).then(() => (admitted = true));
  await sleep(20);
  t.false(admitted, 'held while the line is full');
  release();
  await fourth;
  t.true(admitted);
});

test('drain gives up after its timeout', async (t) => {
  const q = new TurnQueue(1, 1);
  await q.admit(async () => {
    await sleep(300);
  });
  t.false(await q.drain(20));
  t.true(await q.drain(2000));
});

test('a job that throws does not stop the queue', async (t) => {
  const q = new TurnQueue(1, 10);
  let ran = false;
  await q.admit(async () => {
    throw new Error('boom');
  });
  await q.admit(async () => {
    ran = true;
  });
  t.true(await q.drain(1000));
  t.true(ran);
});
