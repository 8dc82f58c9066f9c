// Every sentence the assistant says in this skeleton, per language. No logic here.
import type { FluidBudget } from '../fluid/index.js';
export type Lang = 'en' | 'fr';

export const replies = {
  help: {
    en: 'Commands: /help, /status, /clearmemory, /voiceon, /voiceoff. Natural sentences come with the language model.',
    fr: 'Commandes : /help, /status, /clearmemory, /voiceon, /voiceoff. Les phrases naturelles arrivent avec le modèle de langue.',
  },
  notUnderstood: {
    en: "I can't understand sentences yet: no language model is installed. Try /help.",
    fr: 'Je ne comprends pas encore les phrases : aucun modèle de langue n’est installé. Essayez /help.',
  },
  status: {
    en: (s: StatusLine) => `Up ${s.uptime}, MQTT ${s.mqtt}, ${s.messages} messages in memory (${s.storeKiB} KiB), models: ${s.models}, RSS ${s.rssMiB} MiB.`,
    fr: (s: StatusLine) => `En marche depuis ${s.uptime}, MQTT ${s.mqtt}, ${s.messages} messages en mémoire (${s.storeKiB} Kio), modèles : ${s.models}, RSS ${s.rssMiB} Mio.`,
  },
  clarify: {
    en: "Sorry, I didn't get that. Could you say it another way?",
    fr: 'Pardon, je n’ai pas compris. Pouvez-vous le dire autrement ?',
  },
  cannotAnswerOffline: { en: "I can't answer that offline yet.", fr: 'Je ne sais pas encore répondre à cela hors ligne.' },
  fromCloud: {
    en: (answer: string, provider: string) => `${answer} (answer from ${provider}, online)`,
    fr: (answer: string, provider: string) => `${answer} (réponse de ${provider}, en ligne)`,
  },
  fromBin: {
    en: (answer: string, provider: string, learnedAt: string) => `${answer} (learned online from ${provider} on ${learnedAt.slice(0, 10)})`,
    fr: (answer: string, provider: string, learnedAt: string) => `${answer} (appris en ligne auprès de ${provider} le ${learnedAt.slice(0, 10)})`,
  },
  cloudOffline: {
    en: "I'm offline and have nothing saved about that. Ask me again when I'm online.",
    fr: 'Je suis hors ligne et je n’ai rien gardé à ce sujet. Redemandez-moi quand je serai en ligne.',
  },
  cloudOff: {
    en: 'The cloud is off on this board, and I have nothing saved about that.',
    fr: 'Le cloud est désactivé sur cette carte, et je n’ai rien gardé à ce sujet.',
  },
  cloudBudget: {
    en: (b: FluidBudget) => `Today's cloud budget is used up (${b.calls}/${b.callsPerDay} calls, ${b.tokens}/${b.tokensPerDay} tokens). Ask me again tomorrow.`,
    fr: (b: FluidBudget) => `Le budget cloud du jour est épuisé (${b.calls}/${b.callsPerDay} appels, ${b.tokens}/${b.tokensPerDay} jetons). Redemandez-moi demain.`,
  },
  cloudFailed: {
    en: (providers: string[]) => `The cloud did not answer (${providers.join(', ')} failed), and I have nothing saved about that. Try again later.`,
    fr: (providers: string[]) => `Le cloud n’a pas répondu (échec de ${providers.join(', ')}), et je n’ai rien gardé à ce sujet. Réessayez plus tard.`,
  },
  unsupported: { en: "I understood, but I can't do that yet.", fr: 'J’ai compris, mais je ne sais pas encore le faire.' },
  nevermind: { en: 'OK.', fr: 'D’accord.' },
  cancelled: { en: 'OK, I did nothing.', fr: 'D’accord, je n’ai rien fait.' },
  nothingToConfirm: { en: 'There is nothing waiting for a yes or no.', fr: 'Rien n’attend de réponse.' },
  refused: { en: 'I am not allowed to do that on this board.', fr: 'Je n’ai pas le droit de faire cela sur cette carte.' },
  confirm: {
    en: (what: string) => `Should I ${what}? Say yes or no.`,
    fr: (what: string) => `Dois-je ${what} ? Répondez oui ou non.`,
  },
  and: { en: ' and ', fr: ' et ' },
  unknownEntity: {
    en: (said: string | null, known: string[]) => `I don't know ${said ? `"${said}"` : 'which device you mean'}. ${known.length ? `I know: ${known.join(', ')}.` : 'No devices are configured yet.'}`,
    fr: (said: string | null, known: string[]) => `Je ne connais pas ${said ? `« ${said} »` : 'cet appareil'}. ${known.length ? `Je connais : ${known.join(', ')}.` : 'Aucun appareil n’est encore configuré.'}`,
  },
  actionVerb: {
    en: { turn_on: 'turn on', turn_off: 'turn off', toggle: 'toggle', brightness: 'dim', color: 'recolour', temperature: 'set', open: 'open', close: 'close', lock: 'lock', unlock: 'unlock' } as Record<string, string>,
    fr: { turn_on: 'allumer', turn_off: 'éteindre', toggle: 'basculer', brightness: 'régler', color: 'changer la couleur de', temperature: 'régler', open: 'ouvrir', close: 'fermer', lock: 'verrouiller', unlock: 'déverrouiller' } as Record<string, string>,
  },
  toolPhrase: {
    en: { clear_memory: 'clear my notes and knowledge', note_forget: 'forget that note' } as Record<string, string>,
    fr: { clear_memory: 'effacer mes notes et connaissances', note_forget: 'oublier cette note' } as Record<string, string>,
  },
  unknownCommand: {
    en: (cmd: string) => `Unknown command ${cmd}. Try /help.`,
    fr: (cmd: string) => `Commande inconnue ${cmd}. Essayez /help.`,
  },
} as const;

export interface StatusLine {
  uptime: string;
  mqtt: string;
  messages: number;
  storeKiB: number;
  models: string;
  rssMiB: number;
}

/** 3725 s → "1h 2m 5s". */
export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h ${m}m ${s % 60}s` : m ? `${m}m ${s % 60}s` : `${s % 60}s`;
}
