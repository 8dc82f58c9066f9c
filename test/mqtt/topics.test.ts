import test from 'ava';
import { deviceTopics, clientReplyTopic } from '../../src/mqtt/index.js';

test('device topics live under <prefix>/<deviceId>/', (t) => {
  t.deepEqual(deviceTopics('wulf', 'kitchen'), { status: 'wulf/kitchen/status', ask: 'wulf/kitchen/ask', reply: 'wulf/kitchen/reply', error: 'wulf/kitchen/error', timer: 'wulf/kitchen/timer' });
  t.is(clientReplyTopic('wulf', 'cli-1'), 'wulf/_client/cli-1/reply');
});
