// Slot resolution: the `area` / `name` / `domain` words a user said → configured device ids.
// Accent-, case- and plural-insensitive; synonyms are the extra names in config.
import type { Config, DeviceConfig, Domain } from '../config/index.js';

export interface EntitySlots {
  name?: string;
  area?: string;
  domain?: string;
}

export type Resolution = { ok: true; deviceIds: string[] } | { ok: false; missing: 'name' | 'area' | 'nothing'; said: string | null };

/** Articles and prepositions a span may start with ("de la cuisine", "the kitchen"): not part of a name. */
const leadingFunctionWords = new Set(['le', 'la', 'les', 'l', 'du', 'de', 'des', 'd', 'au', 'aux', 'the', 'of', 'my', 'our']);

/** "Lumières" → "lumiere", "the Lights" → "light", "de la Cuisine" → "cuisine": fold accents, case, a plural s/x, leading articles. */
export function foldName(s: string): string {
  const words = s
    .normalize('NFKD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase()
    .replace(/[’'`-]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  let start = 0;
  while (start < words.length - 1 && leadingFunctionWords.has(words[start]!)) start += 1;
  return words
    .slice(start)
    .map((w) => (w.length > 3 && /[sx]$/.test(w) ? w.slice(0, -1) : w))
    .join(' ');
}

const domainWords: Record<string, Domain> = {
  light: 'light', lights: 'light', lamp: 'light', lumiere: 'light', lampe: 'light', eclairage: 'light',
  switch: 'switch', prise: 'switch', plug: 'switch', fan: 'fan', ventilateur: 'fan',
  cover: 'cover', blind: 'cover', shutter: 'cover', volet: 'cover', store: 'cover', garage: 'cover', 'garage door': 'cover', 'porte du garage': 'cover',
  climate: 'climate', heating: 'climate', thermostat: 'climate', chauffage: 'climate',
  lock: 'lock', serrure: 'lock', media_player: 'media_player',
};

function matches(names: string[], said: string): boolean {
  const key = foldName(said);
  return names.some((n) => foldName(n) === key);
}

function allNames(d: { names: { en: string[]; fr: string[] } }): string[] {
  return [...d.names.en, ...d.names.fr];
}

function findArea(config: Pick<Config, 'areas'>, said: string) {
  return config.areas.find((a) => matches(allNames(a), said) || foldName(a.id) === foldName(said));
}

/** Resolve the entity slots of one command to device ids of the device map. */
export function resolveDevices(config: Pick<Config, 'devices' | 'areas'>, slots: EntitySlots): Resolution {
  let candidates: DeviceConfig[] = config.devices;
  if (slots.name) {
    const byName = candidates.filter((d) => matches(allNames(d), slots.name!) || foldName(d.id) === foldName(slots.name!));
    if (byName.length) return { ok: true, deviceIds: byName.map((d) => d.id) };
    // A name may be a domain word with an area ("la lumière du salon" parsed as one name).
    const domain = domainWords[foldName(slots.name)];
    // Or an area said where a name was expected ("éteins la lumière de la cuisine" with "de la cuisine" as the name).
    const areaNamed = slots.area ? undefined : findArea(config, slots.name);
    if (areaNamed) return resolveDevices(config, { area: slots.name, domain: slots.domain });
    if (!domain || !slots.area) return { ok: false, missing: 'name', said: slots.name };
    candidates = candidates.filter((d) => d.domain === domain);
  }
  if (slots.domain) {
    const domain = domainWords[foldName(slots.domain)] ?? (slots.domain as Domain);
    candidates = candidates.filter((d) => d.domain === domain);
  }
  if (slots.area) {
    const area = findArea(config, slots.area);
    if (!area) return { ok: false, missing: 'area', said: slots.area };
    candidates = candidates.filter((d) => d.area === area.id);
  }
  if (!slots.name && !slots.area && !slots.domain) return { ok: false, missing: 'nothing', said: null };
  return candidates.length ? { ok: true, deviceIds: candidates.map((d) => d.id) } : { ok: false, missing: slots.area ? 'area' : 'name', said: slots.area ?? slots.name ?? null };
}
