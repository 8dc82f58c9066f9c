// Discovery payloads checked against Home Assistant's MQTT documentation, platform by platform:
// required fields present, every field known to that platform, stable unique ids.
import test from 'ava';
import { deviceTopics, discoveryMessages, sharedTopics } from '../../src/mqtt/index.js';
import { parseConfig } from '../../src/config/index.js';
import { consoleUrl } from '../../src/daemon/integrations.js';

// Field lists from the Home Assistant MQTT integration docs (sensor, text, switch, select, event,
// update), limited to the ones Wulf may send, plus the fields every MQTT entity accepts.
const COMMON = ['name', 'unique_id', 'default_entity_id', 'object_id', 'availability_topic', 'payload_available', 'payload_not_available', 'device', 'origin', 'icon', 'entity_category', 'json_attributes_topic', 'value_template'];
const PLATFORM: Record<string, { required: string[]; optional: string[] }> = {
  sensor: { required: ['state_topic'], optional: ['unit_of_measurement', 'device_class', 'state_class', 'force_update', 'expire_after'] },
  text: { required: ['command_topic'], optional: ['state_topic', 'min', 'max', 'mode', 'pattern', 'command_template'] },
  switch: { required: ['command_topic'], optional: ['state_topic', 'payload_on', 'payload_off', 'state_on', 'state_off', 'optimistic', 'retain'] },
  select: { required: ['command_topic', 'options'], optional: ['state_topic', 'optimistic', 'retain', 'command_template'] },
  event: { required: ['state_topic', 'event_types'], optional: ['device_class'] },
  update: { required: ['state_topic'], optional: ['command_topic', 'payload_install', 'latest_version_topic', 'latest_version_template', 'device_class', 'release_url', 'title'] },
};
const DEVICE_FIELDS = ['identifiers', 'name', 'manufacturer', 'model', 'sw_version', 'hw_version', 'connections', 'configuration_url', 'suggested_area', 'via_device'];

const input = (deviceId: string, models = [{ name: 'neurolite-tiny', version: '3' }]) => ({
  deviceId,
  deviceName: `Wulf ${deviceId}`,
  swVersion: '0.1.0',
  topics: deviceTopics('wulf', deviceId),
  shared: sharedTopics('homeassistant'),
  eventTypes: ['HassTurnOn', 'WulfStatus'],
  models,
});

test('every discovery payload is valid JSON with only documented fields, and required ones', (t) => {
  const messages = discoveryMessages(input('kitchen'));
  t.deepEqual(messages.map((m) => m.component).sort(), ['event', 'select', 'sensor', 'sensor', 'sensor', 'sensor', 'switch', 'text', 'update']);
  for (const m of messages) {
    const payload = JSON.parse(JSON.stringify(m.payload)) as Record<string, unknown>;
    const spec = PLATFORM[m.component]!;
    for (const f of spec.required) t.true(f in payload, `${m.objectId}: ${f} is required`);
    for (const f of Object.keys(payload)) t.true([...COMMON, ...spec.required, ...spec.optional].includes(f), `${m.objectId}: ${f} is not a ${m.component} field`);
    for (const f of Object.keys(payload.device as object)) t.true(DEVICE_FIELDS.includes(f), `device.${f}`);
    t.is(m.topic, `homeassistant/${m.component}/wulf_kitchen/${m.objectId}/config`);
    t.regex(String(payload.unique_id), /^wulf_kitchen_[a-z0-9_-]+$/);
  }
});

test('unique ids are stable across runs and distinct across devices', (t) => {
  const ids = (id: string) => discoveryMessages(input(id)).map((m) => m.payload.unique_id);
  t.deepEqual(ids('kitchen'), ids('kitchen'));
  t.is(new Set(ids('kitchen')).size, ids('kitchen').length);
  t.false(ids('kitchen').some((u) => ids('garage').includes(u)));
});

test('one version sensor per loaded model; the select offers the three cloud modes', (t) => {
  const none = discoveryMessages(input('k', []));
  t.false(none.some((m) => m.objectId.startsWith('model_')));
  const select = none.find((m) => m.component === 'select')!;
  t.deepEqual(select.payload.options, ['off', 'when_unsure', 'always']);
  const two = discoveryMessages(input('k', [{ name: 'a', version: '1' }, { name: 'b/c#', version: '2' }]));
  t.deepEqual(two.filter((m) => m.objectId.startsWith('model_')).map((m) => m.payload.state_topic), ['wulf/k/model/a/version', 'wulf/k/model/b_c_/version']);
});

test('the device links to the web console when people on the LAN can reach it, and only then', (t) => {
  const withUrl = discoveryMessages({ ...input('k'), configurationUrl: 'http://kitchen-pi.local:8642' });
  t.true(withUrl.every((m) => (m.payload.device as { configuration_url?: string }).configuration_url === 'http://kitchen-pi.local:8642'));
  t.true(discoveryMessages(input('k')).every((m) => !('configuration_url' in (m.payload.device as object))));
  const url = (web: Record<string, unknown>) => consoleUrl(parseConfig({ web: { token: 'a-token-of-16-chars-or-more', ...web } }, {}, null));
  t.is(url({}), null, 'off');
  t.is(url({ enabled: true }), null, 'loopback only');
  t.is(url({ enabled: true, host: '0.0.0.0' }), null, 'every address: no single one to link');
  t.is(url({ enabled: true, host: '192.168.1.20' }), 'http://192.168.1.20:8642');
  t.is(url({ enabled: true, host: '0.0.0.0', publicUrl: 'http://kitchen-pi.local:8642' }), 'http://kitchen-pi.local:8642');
  t.throws(() => url({ enabled: true, publicUrl: 'javascript:alert(1)' }), { message: /web\.publicUrl/ });
});
