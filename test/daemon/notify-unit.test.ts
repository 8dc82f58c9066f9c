import test from 'ava';
import { sockaddrUn, watchdogIntervalMs } from '../../src/daemon/index.js';

test('sockaddr_un for a path is NUL-terminated', (t) => {
  const a = sockaddrUn('/run/systemd/notify');
  t.is(a.readUInt16LE(0), 1);
  t.is(a.subarray(2).toString(), '/run/systemd/notify\0');
});

test('sockaddr_un for an abstract "@name" starts with NUL and has no terminator', (t) => {
  const a = sockaddrUn('@wulf/notify');
  t.is(a.length, 2 + 1 + 'wulf/notify'.length);
  t.is(a[2], 0);
  t.is(a.subarray(3).toString(), 'wulf/notify');
});

test('an over-long socket path is refused', (t) => {
  t.throws(() => sockaddrUn(`/${'x'.repeat(200)}`), { message: /too long/ });
});

test('watchdog pings at half of WATCHDOG_USEC, only for our PID', (t) => {
  t.is(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }), 15_000);
  t.is(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' }, 2), null);
  t.is(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '2' }, 2), 15_000);
  t.is(watchdogIntervalMs({}), null);
  t.is(watchdogIntervalMs({ WATCHDOG_USEC: 'x' }), null);
});
