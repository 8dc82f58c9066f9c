// Device map → MQTT command: topics and payloads from the device's preset (zigbee2mqtt, Tasmota,
// Home Assistant MQTT JSON) or its own templates. Values enter payloads only JSON-encoded.
import type { DeviceAction, DeviceConfig, Domain } from '../config/index.js';

export interface DeviceCommand {
  topic: string;
  payload: string;
}

/** Actions each domain understands. */
export const actionsByDomain: Record<Domain, DeviceAction[]> = {
  light: ['turn_on', 'turn_off', 'toggle', 'brightness', 'color'],
  switch: ['turn_on', 'turn_off', 'toggle'],
  fan: ['turn_on', 'turn_off', 'toggle'],
  cover: ['open', 'close'],
  climate: ['temperature', 'turn_on', 'turn_off'],
  lock: ['lock', 'unlock'],
  media_player: ['turn_on', 'turn_off', 'toggle'],
  sensor: [],
  binary_sensor: [],
};

interface Preset {
  topic(target: string, action: DeviceAction): string;
  payloads: Partial<Record<DeviceAction, string>>;
  /** Converts the tool's value (percent, hex colour, °C) to what the device expects. */
  value?: Partial<Record<DeviceAction, (v: number | string) => number | string>>;
  stateTopic?(target: string): string;
}

const percentTo254 = (v: number | string) => Math.round((Number(v) * 254) / 100);

const presets: Record<'zigbee2mqtt' | 'tasmota' | 'homeassistant', Preset> = {
  // zigbee2mqtt: `zigbee2mqtt/<friendly_name>/set` with a JSON body; state on `zigbee2mqtt/<name>`.
  zigbee2mqtt: {
    topic: (t) => `zigbee2mqtt/${t}/set`,
    payloads: {
      turn_on: '{"state":"ON"}',
      turn_off: '{"state":"OFF"}',
      toggle: '{"state":"TOGGLE"}',
      brightness: '{"state":"ON","brightness":{{value}}}',
      color: '{"state":"ON","color":{"hex":{{value}}}}',
      temperature: '{"occupied_heating_setpoint":{{value}}}',
      open: '{"state":"OPEN"}',
      close: '{"state":"CLOSE"}',
      lock: '{"state":"LOCK"}',
      unlock: '{"state":"UNLOCK"}',
    },
    value: { brightness: percentTo254 },
    stateTopic: (t) => `zigbee2mqtt/${t}`,
  },
  // Tasmota: one command topic per command (`cmnd/<topic>/POWER`, `…/Dimmer`, `…/Color`).
  tasmota: {
    topic: (t, a) => `cmnd/${t}/${{ brightness: 'Dimmer', color: 'Color', open: 'ShutterOpen', close: 'ShutterClose' }[a as string] ?? 'POWER'}`,
    payloads: { turn_on: 'ON', turn_off: 'OFF', toggle: 'TOGGLE', brightness: '{{value}}', color: '{{value}}', open: '', close: '' },
    stateTopic: (t) => `stat/${t}/POWER`,
  },
  // Home Assistant MQTT entities with the JSON schema; the command topic comes from the device.
  homeassistant: {
    topic: (t) => `homeassistant/${t}/set`,
    payloads: {
      turn_on: '{"state":"ON"}',
      turn_off: '{"state":"OFF"}',
      toggle: '{"state":"TOGGLE"}',
      brightness: '{"state":"ON","brightness":{{value}}}',
      color: '{"state":"ON","color":{"hex":{{value}}}}',
      temperature: '{"temperature":{{value}}}',
      open: 'OPEN',
      close: 'CLOSE',
      lock: 'LOCK',
      unlock: 'UNLOCK',
    },
    value: { brightness: percentTo254 },
  },
};

export class DeviceCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceCommandError';
  }
}

/** The MQTT message that performs `action` on `device`; throws when the device cannot do it. */
export function commandFor(device: DeviceConfig, action: DeviceAction, value?: number | string): DeviceCommand {
  if (!actionsByDomain[device.domain].includes(action)) throw new DeviceCommandError(`${device.id} (${device.domain}) cannot ${action}`);
  const preset = device.preset === 'custom' ? null : presets[device.preset];
  const template = device.payloads[action] ?? preset?.payloads[action];
  if (template === undefined) throw new DeviceCommandError(`${device.id} has no payload for ${action}`);
  const topic = device.commandTopic ?? (preset && device.target ? preset.topic(device.target, action) : null);
  if (!topic) throw new DeviceCommandError(`${device.id} has no commandTopic (and no preset target)`);
  const converted = value === undefined ? undefined : preset?.value?.[action]?.(value) ?? value;
  // JSON.stringify is the only way a value enters a payload: a string arrives quoted and escaped.
  const isBare = preset === presets.tasmota && !device.payloads[action];
  const encoded = converted === undefined ? 'null' : isBare ? String(converted) : JSON.stringify(converted);
  return { topic, payload: template.replaceAll('{{value}}', encoded) };
}

export function stateTopicFor(device: DeviceConfig): string | null {
  if (device.stateTopic) return device.stateTopic;
  const preset = device.preset === 'custom' ? null : presets[device.preset];
  return preset?.stateTopic && device.target ? preset.stateTopic(device.target) : null;
}
