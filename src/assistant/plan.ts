// Understanding → tool calls. A pure table from Home Assistant's and Wulf's intent names to
// allow-listed tools and their arguments; entity slots are resolved against the device map here.
import type { Config } from '../config/index.js';
import { resolveDevices, type Understanding } from '../nlu/index.js';

/** Every intent the planner knows: Home Assistant's names and Wulf's own. */
export const KNOWN_INTENTS = [
  'HassTurnOn', 'HassTurnOff', 'HassLightSet', 'HassClimateSetTemperature', 'HassClimateGetTemperature', 'HassGetState',
  'HassStartTimer', 'HassCancelTimer', 'HassTimerStatus', 'HassShoppingListAddItem', 'HassListAddItem', 'HassGetCurrentTime',
  'HassGetCurrentDate', 'HassGetWeather', 'HassMediaPause', 'HassMediaUnpause', 'HassMediaNext', 'HassSetVolume', 'HassNevermind',
  'WulfRemember', 'WulfRecall', 'WulfStatus', 'WulfClearMemory', 'WulfVoiceOn', 'WulfVoiceOff', 'WulfAsk', 'WulfChat',
  'WulfHelp', 'WulfConfirm', 'WulfDeny',
] as const;

export interface PlannedCall {
  tool: string;
  args: Record<string, unknown>;
}

export type Plan =
  | { kind: 'calls'; calls: PlannedCall[] }
  | { kind: 'unknown_entity'; said: string | null }
  | { kind: 'builtin'; name: 'status' | 'help' | 'nevermind' | 'open_question' | 'chat' }
  | { kind: 'unsupported'; intent: string };

export const colours: Record<string, string> = {
  red: '#ff0000', rouge: '#ff0000', green: '#00ff00', vert: '#00ff00', blue: '#0000ff', bleu: '#0000ff', white: '#ffffff', blanc: '#ffffff',
  yellow: '#ffff00', jaune: '#ffff00', orange: '#ffa500', purple: '#800080', violet: '#800080', pink: '#ffc0cb', rose: '#ffc0cb', warm: '#ffb46b', chaud: '#ffb46b',
};

function slot(u: Understanding, name: string): string | undefined {
  return u.slots.find((s) => s.name === name)?.value;
}

/** "10 minutes", "1 h 30", "90 secondes" → ms; null when it cannot tell. */
export function parseDurationMs(text: string): number | null {
  const units: Array<[RegExp, number]> = [[/(\d+(?:[.,]\d+)?)\s*(h|heures?|hours?|hrs?)\b/i, 3600_000], [/(\d+(?:[.,]\d+)?)\s*(m|min|mins|minutes?)\b/i, 60_000], [/(\d+(?:[.,]\d+)?)\s*(s|sec|secs|secondes?|seconds?)\b/i, 1000]];
  let total = 0;
  for (const [re, ms] of units) {
    const m = re.exec(text);
    if (m) total += Number(m[1]!.replace(',', '.')) * ms;
  }
  return total > 0 ? Math.round(total) : null;
}

function number(text: string | undefined): number | null {
  const m = text ? /-?\d+(?:[.,]\d+)?/.exec(text) : null;
  return m ? Number(m[0].replace(',', '.')) : null;
}

export function plan(u: Understanding, config: Pick<Config, 'devices' | 'areas'>): Plan {
  // Home Assistant's sentences say where with `area` or `floor`; Wulf maps both onto configured areas.
  const where = slot(u, 'area') ?? slot(u, 'floor');
  const device = (action: string, value?: number | string): Plan => {
    const r = resolveDevices(config, { name: slot(u, 'name'), area: where, domain: slot(u, 'domain') });
    if (!r.ok) return { kind: 'unknown_entity', said: r.said };
    return { kind: 'calls', calls: [{ tool: 'home_control', args: { action, deviceIds: r.deviceIds, ...(value !== undefined ? { value } : {}) } }] };
  };
  switch (u.intent) {
    case 'HassTurnOn':
      return slot(u, 'domain') === 'cover' ? device('open') : device('turn_on');
    case 'HassTurnOff':
      return slot(u, 'domain') === 'cover' ? device('close') : device('turn_off');
    case 'HassLightSet': {
      const colour = slot(u, 'color');
      if (colour) return colours[colour.toLowerCase()] ? device('color', colours[colour.toLowerCase()]) : { kind: 'unsupported', intent: u.intent };
      const pct = number(slot(u, 'brightness'));
      return pct === null ? { kind: 'unsupported', intent: u.intent } : device('brightness', Math.max(0, Math.min(100, pct)));
    }
    case 'HassClimateSetTemperature': {
      const t = number(slot(u, 'temperature'));
      return t === null ? { kind: 'unsupported', intent: u.intent } : device('temperature', t);
    }
    case 'HassGetState': {
      const r = resolveDevices(config, { name: slot(u, 'name'), area: where, domain: slot(u, 'domain') });
      if (!r.ok) return { kind: 'unknown_entity', said: r.said };
      return { kind: 'calls', calls: r.deviceIds.map((id) => ({ tool: 'device_status', args: { deviceId: id } })) };
    }
    case 'HassStartTimer': {
      // Home Assistant's timer sentences carry hours/minutes/seconds numbers; others a duration phrase.
      const parts = (['hours', 'minutes', 'seconds'] as const).map((k) => number(slot(u, k)) ?? 0);
      const fromParts = Math.round(parts[0]! * 3600_000 + parts[1]! * 60_000 + parts[2]! * 1000);
      const ms = fromParts > 0 ? fromParts : parseDurationMs(slot(u, 'duration') ?? '');
      return ms === null ? { kind: 'unsupported', intent: u.intent } : { kind: 'calls', calls: [{ tool: 'timer_start', args: { durationMs: ms, name: slot(u, 'name') ?? null } }] };
    }
    case 'HassCancelTimer':
      return { kind: 'calls', calls: [{ tool: 'timer_cancel', args: { name: slot(u, 'name') ?? null } }] };
    case 'HassTimerStatus':
      return { kind: 'calls', calls: [{ tool: 'timer_status', args: {} }] };
    case 'HassShoppingListAddItem':
      return { kind: 'calls', calls: [{ tool: 'list_add', args: { list: 'shopping', item: slot(u, 'item') ?? '' } }] };
    case 'HassListAddItem':
      return { kind: 'calls', calls: [{ tool: 'list_add', args: { list: /t[aâ]che|todo|to-do|to do/i.test(slot(u, 'name') ?? '') ? 'todo' : 'shopping', item: slot(u, 'item') ?? '' } }] };
    case 'HassGetCurrentTime':
      return { kind: 'calls', calls: [{ tool: 'clock_time', args: {} }] };
    case 'HassGetCurrentDate':
      return { kind: 'calls', calls: [{ tool: 'clock_date', args: {} }] };
    case 'WulfRemember':
      return { kind: 'calls', calls: [{ tool: 'note_remember', args: { fact: slot(u, 'fact') ?? '' } }] };
    case 'WulfRecall':
      return { kind: 'calls', calls: [{ tool: 'note_recall', args: { topic: slot(u, 'topic') ?? '' } }] };
    case 'WulfClearMemory':
      return { kind: 'calls', calls: [{ tool: 'clear_memory', args: {} }] };
    case 'WulfVoiceOn':
      return { kind: 'calls', calls: [{ tool: 'voice_on', args: {} }] };
    case 'WulfVoiceOff':
      return { kind: 'calls', calls: [{ tool: 'voice_off', args: {} }] };
    case 'WulfStatus':
      return { kind: 'builtin', name: 'status' };
    case 'HassNevermind':
      return { kind: 'builtin', name: 'nevermind' };
    case 'WulfAsk':
      return { kind: 'builtin', name: 'open_question' };
    case 'WulfChat':
      return { kind: 'builtin', name: 'chat' };
    default:
      return { kind: 'unsupported', intent: u.intent };
  }
}
