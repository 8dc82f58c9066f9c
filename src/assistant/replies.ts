// Every sentence the assistant says in this skeleton, per language. No logic here.
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
  voiceOn: {
    en: 'Voice replies are on (this board has no speech output configured yet).',
    fr: 'Les réponses vocales sont activées (aucune sortie vocale n’est encore configurée sur cette carte).',
  },
  voiceOff: { en: 'Voice replies are off.', fr: 'Les réponses vocales sont désactivées.' },
  cleared: {
    en: (notes: number, bins: number) => `Cleared ${notes} notes and ${bins} knowledge bins. Conversation history, lists and settings are kept.`,
    fr: (notes: number, bins: number) => `J’ai effacé ${notes} notes et ${bins} paquets de connaissance. L’historique, les listes et les réglages sont conservés.`,
  },
  status: {
    en: (s: StatusLine) => `Up ${s.uptime}, MQTT ${s.mqtt}, ${s.messages} messages in memory (${s.storeKiB} KiB), models: ${s.models}, RSS ${s.rssMiB} MiB.`,
    fr: (s: StatusLine) => `En marche depuis ${s.uptime}, MQTT ${s.mqtt}, ${s.messages} messages en mémoire (${s.storeKiB} Kio), modèles : ${s.models}, RSS ${s.rssMiB} Mio.`,
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
