// A generator's calls name tools of the catalogue with arguments as the user said them: a device by
// its `name`, `area` and `domain` words, a timer by its `duration` phrase, a colour by its name. Here
// they become the tool's own arguments (device ids from this board's device map, milliseconds,
// "#rrggbb"), with the same resolution the NLU's plans use. Nothing is run or trusted here: the result
// still goes through ToolRegistry.prepare (allow-list, argument schema) and confirmation.
import type { Config } from '../config/index.js';
import type { ProposedCall } from '../generate/index.js';
import { resolveDevices } from '../nlu/index.js';
import { colours, parseDurationMs, type PlannedCall } from './plan.js';

export type SpokenResolution =
  | { ok: true; call: PlannedCall }
  | { ok: false; reason: 'unknown_entity'; said: string | null }
  | { ok: false; reason: 'bad_args'; message: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function resolveSpokenCall(call: ProposedCall, config: Pick<Config, 'devices' | 'areas'>): SpokenResolution {
  const a = call.args;
  switch (call.tool) {
    case 'home_control': {
      if ('deviceIds' in a) return { ok: true, call }; // already in the tool's terms: the schema decides
      const { name, area, domain, value, ...rest } = a;
      const r = resolveDevices(config, { name: str(name), area: str(area), domain: str(domain) });
      if (!r.ok) return { ok: false, reason: 'unknown_entity', said: r.said };
      let v = value;
      if (a.action === 'color' && typeof v === 'string' && !v.startsWith('#')) {
        const hex = colours[v.toLowerCase()];
        if (!hex) return { ok: false, reason: 'bad_args', message: `unknown colour ${JSON.stringify(v.slice(0, 32))}` };
        v = hex;
      }
      return { ok: true, call: { tool: 'home_control', args: { ...rest, deviceIds: r.deviceIds, ...(v !== undefined ? { value: v } : {}) } } };
    }
    case 'timer_start': {
      if (!('duration' in a)) return { ok: true, call };
      const { duration, ...rest } = a;
      const ms = typeof duration === 'string' ? parseDurationMs(duration) : null;
      if (ms === null) return { ok: false, reason: 'bad_args', message: `no duration in ${JSON.stringify(String(duration).slice(0, 32))}` };
      return { ok: true, call: { tool: 'timer_start', args: { ...rest, durationMs: ms } } };
    }
    default:
      return { ok: true, call };
  }
}
