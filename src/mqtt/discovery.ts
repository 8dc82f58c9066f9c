// Home Assistant MQTT discovery: the retained config messages that make a Wulf board appear in
// Home Assistant as one device with its entities. Pure: builds {topic, payload}; publishes nothing.
// Field names follow Home Assistant's MQTT integration docs for each platform.
import { safeLevel, type SharedTopics, type Topics } from './topics.js';

export interface DiscoveryInput {
  deviceId: string;
  deviceName: string;
  swVersion: string;
  topics: Topics;
  shared: SharedTopics;
  /** Every intent the event entity may fire with. */
  eventTypes: string[];
  models: Array<{ name: string; version: string }>;
  /** The web console's address, shown as the device's "Visit" link in Home Assistant. */
  configurationUrl?: string;
}

export interface DiscoveryMessage {
  component: 'sensor' | 'text' | 'switch' | 'select' | 'event' | 'update';
  objectId: string;
  topic: string;
  payload: Record<string, unknown>;
}

export const CLOUD_MODES = ['off', 'when_unsure', 'always'] as const;
export type CloudMode = (typeof CLOUD_MODES)[number];

/** The node id groups our entities under `<prefix>/<component>/<node>/…`; HA allows [a-zA-Z0-9_-]. */
export function nodeId(deviceId: string): string {
  return `wulf_${deviceId.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
}

export function discoveryMessages(input: DiscoveryInput): DiscoveryMessage[] {
  const node = nodeId(input.deviceId);
  const t = input.topics;
  const common = (objectId: string, name: string) => ({
    name,
    unique_id: `${node}_${objectId}`,
    default_entity_id: `${node}_${objectId}`,
    availability_topic: t.status,
    payload_available: 'online',
    payload_not_available: 'offline',
    device: { identifiers: [node], name: input.deviceName, manufacturer: 'Wulf', model: 'Wulf offline assistant', sw_version: input.swVersion, ...(input.configurationUrl ? { configuration_url: input.configurationUrl } : {}) },
    origin: { name: 'wulf', sw_version: input.swVersion },
  });
  const entities: Array<Omit<DiscoveryMessage, 'topic'>> = [
    { component: 'sensor', objectId: 'last_transcript', payload: { ...common('last_transcript', 'Last transcript'), state_topic: t.lastTranscript, icon: 'mdi:text-box-outline' } },
    { component: 'sensor', objectId: 'last_intent', payload: { ...common('last_intent', 'Last intent'), state_topic: t.lastIntent, value_template: '{{ value_json.intent }}', json_attributes_topic: t.lastIntent, icon: 'mdi:head-lightbulb-outline' } },
    { component: 'sensor', objectId: 'last_reply', payload: { ...common('last_reply', 'Last reply'), state_topic: t.lastReply, icon: 'mdi:message-reply-text-outline' } },
    { component: 'text', objectId: 'command', payload: { ...common('command', 'Command'), command_topic: t.textCommand, mode: 'text', min: 1, max: 255, icon: 'mdi:keyboard-outline' } },
    { component: 'switch', objectId: 'voice', payload: { ...common('voice', 'Voice replies'), command_topic: t.voiceSet, state_topic: t.voiceState, payload_on: 'ON', payload_off: 'OFF', state_on: 'ON', state_off: 'OFF', icon: 'mdi:account-voice' } },
    { component: 'select', objectId: 'cloud_mode', payload: { ...common('cloud_mode', 'Cloud mode'), command_topic: t.cloudSet, state_topic: t.cloudState, options: [...CLOUD_MODES], icon: 'mdi:cloud-question' } },
    { component: 'event', objectId: 'intent', payload: { ...common('intent', 'Intent'), state_topic: t.intentEvent, event_types: input.eventTypes, icon: 'mdi:gesture-tap' } },
    { component: 'update', objectId: 'model', payload: { ...common('model', 'Model'), state_topic: t.updateState, command_topic: t.updateInstall, payload_install: 'install', entity_category: 'config' } },
    ...input.models.map((m) => ({
      component: 'sensor' as const,
      objectId: `model_${safeLevel(m.name)}`,
      payload: { ...common(`model_${safeLevel(m.name)}`, `Model ${m.name}`), state_topic: t.modelVersion(m.name), entity_category: 'diagnostic', icon: 'mdi:brain' },
    })),
  ];
  return entities.map((e) => ({ ...e, topic: input.shared.haConfig(e.component, node, e.objectId) }));
}

/** HA's event entity wants event_type in the payload; the rest become attributes. */
export function intentEventPayload(intent: string, slots: Record<string, unknown>, text: string): string {
  return JSON.stringify({ event_type: intent, text: text.slice(0, 255), slots });
}
