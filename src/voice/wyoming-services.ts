// The daemon's own engines as Wyoming services: speech to text is the recognizers the voice pipeline
// uses (by language), text to speech is the Speaker's espeak-ng synthesis (same voices, speed, timeout
// and literal-text rules). The wake service is wake.ts. Used by the daemon's VoiceService and its tests.
import { parseWav, toMono } from '../audio/wav.js';
import type { TtsConfig } from '../config/index.js';
import type { Lang } from './grammar.js';
import type { Recognizers } from './recognizers.js';
import { speakableText, synthesize } from './tts.js';
import type { VoiceServices } from '../audio/wyoming.js';

/** A Wyoming language tag ("en", "en-US", "fr_FR") → ours; absent or unknown → `fallback`. */
export function wyomingLang(language: string | undefined, fallback: Lang): Lang {
  const l = language?.toLowerCase() ?? '';
  return l.startsWith('fr') ? 'fr' : l.startsWith('en') ? 'en' : fallback;
}

/** `asr`: one model per language with an engine; a language without one is an error that says so. */
export function asrService(recognizers: Pick<Recognizers, 'engines' | 'status'>, fallback: Lang): NonNullable<VoiceServices['asr']> {
  const langs = (['en', 'fr'] as const).filter((l) => recognizers.engines[l]);
  return {
    program: { name: 'wulf-asr', description: 'Wulf closed-grammar recognizer (pocketsphinx): the sentences of the configured devices, areas and routines' },
    models: langs.map((l) => ({ name: `wulf-grammar-${l}`, description: recognizers.status[l], languages: [l] })),
    transcribe: async (pcm, language) => {
      const lang = wyomingLang(language, fallback);
      const engine = recognizers.engines[lang];
      if (!engine) throw new Error(recognizers.status[lang]);
      return engine.recognize(pcm);
    },
  };
}

/** `tts`: the configured espeak-ng voice of each language. */
export function ttsService(tts: TtsConfig, maxTextChars: number, fallback: Lang, program = 'espeak-ng'): NonNullable<VoiceServices['tts']> {
  const byVoice = new Map<string, Lang>([[tts.voices.en, 'en'], [tts.voices.fr, 'fr']]);
  return {
    program: { name: 'espeak-ng', description: 'espeak-ng, as Wulf speaks its replies' },
    voices: [...byVoice].map(([name, lang]) => ({ name, languages: [lang] })),
    synthesize: async (text, voice) => {
      const lang = voice === undefined ? fallback : byVoice.get(voice);
      if (!lang) throw new Error(`unknown voice ${JSON.stringify(String(voice).slice(0, 64))}: one of ${[...byVoice.keys()].join(', ')}`);
      const said = speakableText(text, maxTextChars).text;
      const wav = parseWav(await synthesize(said, { voice: tts.voices[lang], speedWpm: tts.speedWpm, timeoutMs: tts.timeoutMs, program }), 'espeak-ng output');
      return { sampleRate: wav.sampleRate, samples: toMono(wav.samples, wav.channels) };
    },
  };
}
