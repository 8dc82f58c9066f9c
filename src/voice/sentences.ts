// The sentences voice accepts, in one place. The NLU is a model (NeuroLite, trained from hassil
// templates in firmware-models/neurolite, Python side): at run time it has no enumerable templates,
// so this file holds a per-language set of command patterns, for the intents the planner acts on,
// filled with the configured device names, area names and routine phrases. Everything a pattern
// produces must be a sentence the NLU understands.
import type { Config, Domain } from '../config/index.js';
import type { GrammarSource, Lang } from './grammar.js';

type Patterns = Record<string, string[]>;

const en: Patterns = {
  // Home Assistant opens covers and locks locks with HassTurnOn (and the reverse with HassTurnOff).
  HassTurnOn: ['(turn | switch) on [the] {name}', 'turn [the] {name} on', 'open [the] {cover}', 'lock [the] {lock}', '(turn | switch) on [the] (light | lights) in [the] {area}', '(turn | switch) on [the] {area} (light | lights)'],
  HassTurnOff: ['(turn | switch) off [the] {name}', 'turn [the] {name} off', 'close [the] {cover}', 'unlock [the] {lock}', '(turn | switch) off [the] (light | lights) in [the] {area}', '(turn | switch) off [the] {area} (light | lights)'],
  HassLightSet: ['(set | dim) [the] {light} [brightness] to {percent} percent', 'set [the] {light} to (red | green | blue | white | yellow | orange | purple)'],
  HassGetState: ['is [the] {name} (on | off)', 'is [the] {cover} (open | closed)', 'is [the] {lock} locked'],
  HassClimateSetTemperature: ['set [the] (temperature | heating | thermostat) to {degrees} degrees', 'set [the] {area} temperature to {degrees} degrees'],
  HassClimateGetTemperature: ["(what is | what's) the temperature [in [the] {area}]"],
  HassStartTimer: ['set a timer for {minutes} (minute | minutes)', 'start a {minutes} minute timer'],
  HassCancelTimer: ['cancel [the] timer', 'stop [the] timer'],
  HassTimerStatus: ['how much time is left [on the timer]'],
  HassGetCurrentTime: ["(what time is it | what's the time | what is the time)"],
  HassGetCurrentDate: ["(what's | what is) [the] date [today]", 'what day is it [today]'],
  HassMediaPause: ['pause [the] music'],
  HassMediaUnpause: ['(resume | play) [the] music'],
  HassMediaNext: ['next (song | track)', 'skip [this] (song | track)'],
  HassNevermind: ['never mind', 'cancel'],
  WulfStatus: ["(what's | what is) your status", 'system status'],
  WulfVoiceOn: ['(turn on | enable) your voice'],
  WulfVoiceOff: ['(turn off | mute) your voice', 'stop talking'],
  WulfClearMemory: ['forget everything'],
  WulfConfirm: ['yes'],
  WulfDeny: ['no'],
};

const fr: Patterns = {
  HassTurnOn: ['allume [(le | la | les | l)] {name}', 'ouvre [(le | la | les | l)] {cover}', 'verrouille [(le | la | l)] {lock}', 'allume (la lumière | les lumières) (du | de la | de l | des) {area}'],
  HassTurnOff: ['éteins [(le | la | les | l)] {name}', 'ferme [(le | la | les | l)] {cover}', 'déverrouille [(le | la | l)] {lock}', 'éteins (la lumière | les lumières) (du | de la | de l | des) {area}'],
  HassLightSet: ['(règle | mets) [(le | la | les | l)] {light} à {percent} pour cent'],
  HassGetState: ['est-ce que [(le | la | les | l)] {name} est (allumé | allumée | éteint | éteinte)'],
  HassClimateSetTemperature: ['(règle | mets) [le] chauffage à {degrees} degrés'],
  HassStartTimer: ['(mets | lance) un minuteur de {minutes} minutes'],
  HassCancelTimer: ['annule [le] minuteur'],
  HassGetCurrentTime: ['quelle heure est-il'],
  HassGetCurrentDate: ['quel jour sommes-nous', 'on est quel jour'],
  HassMediaPause: ['mets [la] musique en pause'],
  HassNevermind: ['laisse tomber', 'annule'],
  WulfStatus: ['quel est ton état', 'état du système'],
  WulfVoiceOn: ['active ta voix'],
  WulfVoiceOff: ['(coupe | désactive) ta voix', 'arrête de parler'],
  WulfClearMemory: ['oublie tout'],
  WulfConfirm: ['oui'],
  WulfDeny: ['non'],
};

export const commandPatterns: Record<Lang, Patterns> = { en, fr };

const range = (from: number, to: number, step: number): string[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => String(from + i * step));
const frNumbers: Record<string, string> = { '5': 'cinq', '10': 'dix', '15': 'quinze', '20': 'vingt', '30': 'trente', '40': 'quarante', '50': 'cinquante', '60': 'soixante', '70': 'soixante-dix', '80': 'quatre-vingts', '90': 'quatre-vingt-dix', '100': 'cent', '16': 'seize', '17': 'dix-sept', '18': 'dix-huit', '19': 'dix-neuf', '21': 'vingt et un', '22': 'vingt-deux', '23': 'vingt-trois', '24': 'vingt-quatre', '25': 'vingt-cinq', '1': 'une', '2': 'deux', '3': 'trois' };
const spell = (lang: Lang, ns: string[]): string[] => (lang === 'en' ? ns : ns.map((n) => frNumbers[n]).filter((w): w is string => !!w));

/** The grammar source for one language: the patterns above filled from config. */
export function voiceSentences(config: Pick<Config, 'devices' | 'areas' | 'routines'>, lang: Lang): GrammarSource {
  const names = (domains: Domain[] | null) => config.devices.filter((d) => !domains || domains.includes(d.domain)).flatMap((d) => d.names[lang]);
  const lists: Record<string, string[]> = {
    name: names(null),
    light: names(['light']),
    cover: names(['cover']),
    lock: names(['lock']),
    area: config.areas.flatMap((a) => a.names[lang]),
    percent: spell(lang, range(10, 100, 10)),
    degrees: spell(lang, range(16, 25, 1)),
    minutes: spell(lang, ['1', '2', '3', '5', '10', '15', '20', '30', '40', '50', '60']),
  };
  const templates = Object.entries(commandPatterns[lang]).flatMap(([intent, ts]) => ts.map((template) => ({ intent, template })));
  for (const r of config.routines) for (const phrase of r.phrases[lang]) templates.push({ intent: `routine:${r.id}`, template: phrase.replace(/[()[\]|{}]/g, ' ') });
  return { lang, templates, lists };
}
