// Tool `home_control`: an action on one or more devices of the device map (already resolved to
// ids by the NLU's slot resolution). Publishes the preset's command for each device.
import { z } from 'zod';
import { deviceActions } from '../config/index.js';
import { commandFor, DeviceCommandError } from './device-commands.js';
import { defineTool, pickVariant, type Lang } from './types.js';

const args = z.strictObject({
  action: z.enum(deviceActions),
  deviceIds: z.array(z.string()).min(1).max(64),
  /** brightness: percent 0–100; color: "#rrggbb"; temperature: °C. */
  value: z.union([z.number().min(-50).max(100), z.string().regex(/^#[0-9a-f]{6}$/)]).optional(),
});

const done: Record<string, Record<Lang, string>> = {
  turn_on: { en: 'Turned on', fr: 'J’ai allumé' },
  turn_off: { en: 'Turned off', fr: 'J’ai éteint' },
  toggle: { en: 'Toggled', fr: 'J’ai basculé' },
  brightness: { en: 'Set the brightness of', fr: 'J’ai réglé la luminosité de' },
  color: { en: 'Changed the colour of', fr: 'J’ai changé la couleur de' },
  temperature: { en: 'Set the temperature of', fr: 'J’ai réglé la température de' },
  open: { en: 'Opened', fr: 'J’ai ouvert' },
  close: { en: 'Closed', fr: 'J’ai fermé' },
  lock: { en: 'Locked', fr: 'J’ai verrouillé' },
  unlock: { en: 'Unlocked', fr: 'J’ai déverrouillé' },
};

export const homeControl = defineTool({
  name: 'home_control',
  description: 'turn on/off/toggle, brightness, colour, temperature, open/close, lock/unlock configured devices',
  args,
  isCritical: (a, ctx) => a.deviceIds.some((id) => ctx.config.devices.find((d) => d.id === id)?.critical) || a.action === 'unlock',
  async run(a, ctx) {
    const effects: Array<Record<string, unknown>> = [];
    const names: Record<Lang, string[]> = { en: [], fr: [] };
    const failures: string[] = [];
    for (const id of a.deviceIds) {
      const device = ctx.config.devices.find((d) => d.id === id);
      if (!device) {
        failures.push(id);
        continue;
      }
      try {
        const cmd = commandFor(device, a.action, a.value);
        ctx.publish(cmd.topic, cmd.payload);
        effects.push({ tool: 'home_control', device: id, action: a.action, topic: cmd.topic, payload: cmd.payload });
        for (const l of ['en', 'fr'] as const) names[l].push(device.names[l][0] ?? device.names.en[0] ?? device.names.fr[0] ?? id);
      } catch (err) {
        if (!(err instanceof DeviceCommandError)) throw err;
        ctx.log.warn({ device: id, action: a.action, reason: err.message }, 'device command refused');
        failures.push(id);
      }
    }
    const suffix = a.value !== undefined ? { en: ` to ${String(a.value)}${a.action === 'brightness' ? '%' : a.action === 'temperature' ? '°C' : ''}`, fr: ` à ${String(a.value)}${a.action === 'brightness' ? ' %' : a.action === 'temperature' ? ' °C' : ''}` } : { en: '', fr: '' };
    if (effects.length === 0) return { ok: false, say: { en: 'I could not do that on any of those devices.', fr: 'Je n’ai pu le faire sur aucun de ces appareils.' } };
    // A little variety, as people do: "Turned on the lamp." / "Done: turned on the lamp."
    const opener = pickVariant({ en: ['', 'Done: ', 'OK, '], fr: ['', 'C’est fait : ', 'D’accord, '] });
    const verb = (l: Lang) => (opener[l] ? done[a.action]![l].charAt(0).toLowerCase() + done[a.action]![l].slice(1) : done[a.action]![l]);
    const say = {
      en: `${opener.en}${verb('en')} ${names.en.join(', ')}${suffix.en}.${failures.length ? ` (${failures.length} failed)` : ''}`,
      fr: `${opener.fr}${verb('fr')} ${names.fr.join(', ')}${suffix.fr}.${failures.length ? ` (${failures.length} en échec)` : ''}`,
    };
    return { ok: failures.length === 0, say, effects };
  },
});

export const deviceStatus = defineTool({
  name: 'device_status',
  description: 'the last state a device reported on its state topic',
  args: z.strictObject({ deviceId: z.string() }),
  async run(a, ctx) {
    const device = ctx.config.devices.find((d) => d.id === a.deviceId);
    const name = { en: device?.names.en[0] ?? a.deviceId, fr: device?.names.fr[0] ?? a.deviceId };
    const state = ctx.deviceState(a.deviceId);
    if (state === null) return { ok: false, say: { en: `I have not heard from ${name.en} yet.`, fr: `Je n’ai pas encore de nouvelles de ${name.fr}.` } };
    const word = describeState(state);
    return { ok: true, say: { en: `${name.en} is ${word.en}.`, fr: `${name.fr} : ${word.fr}.` }, data: { state } };
  },
});

/** Reads zigbee2mqtt JSON ({"state":"ON"}), Tasmota (ON) or plain payloads. */
function describeState(payload: string): Record<Lang, string> {
  let state = payload.trim();
  try {
    const obj = JSON.parse(payload) as { state?: unknown; contact?: unknown };
    if (typeof obj.state === 'string') state = obj.state;
    else if (typeof obj.contact === 'boolean') state = obj.contact ? 'CLOSED' : 'OPEN';
  } catch {
    // Not JSON: Tasmota and many devices publish a bare word.
  }
  const map: Record<string, Record<Lang, string>> = {
    ON: { en: 'on', fr: 'allumé' },
    OFF: { en: 'off', fr: 'éteint' },
    OPEN: { en: 'open', fr: 'ouvert' },
    CLOSED: { en: 'closed', fr: 'fermé' },
    CLOSE: { en: 'closed', fr: 'fermé' },
    LOCKED: { en: 'locked', fr: 'verrouillé' },
    UNLOCKED: { en: 'unlocked', fr: 'déverrouillé' },
  };
  const key = state.toUpperCase().slice(0, 32);
  return map[key] ?? { en: state.slice(0, 32), fr: state.slice(0, 32) };
}
