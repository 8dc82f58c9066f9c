import test from 'ava';
import { deviceTopics, clientReplyTopic, sharedTopics, safeLevel } from '../../src/mqtt/index.js';

test('device topics live under <prefix>/<deviceId>/', (t) => {
  const topics = deviceTopics('wulf', 'kitchen');
  t.is(topics.status, 'wulf/kitchen/status');
  t.is(topics.ask, 'wulf/kitchen/ask');
  t.is(topics.reply, 'wulf/kitchen/reply');
  t.is(topics.error, 'wulf/kitchen/error');
  t.is(topics.timer, 'wulf/kitchen/timer');
  t.is(topics.textCommand, 'wulf/kitchen/text/set');
  t.is(topics.intent('HassTurnOn'), 'wulf/kitchen/intent/HassTurnOn');
  for (const [key, value] of Object.entries(topics)) if (typeof value === 'string') t.true(value.startsWith('wulf/kitchen/'), key);
  t.is(clientReplyTopic('wulf', 'cli-1'), 'wulf/_client/cli-1/reply');
});

test('names from outside cannot inject topic levels or wildcards', (t) => {
  t.is(safeLevel('a/b/#/+'), 'a_b____');
  t.is(deviceTopics('wulf', 'k').intent('x/#'), 'wulf/k/intent/x__');
  t.is(sharedTopics('homeassistant').haConfig('sensor', 'wulf_k', 'last_reply'), 'homeassistant/sensor/wulf_k/last_reply/config');
});
