// Which recognizer each language gets, built once at daemon start from the config: English gets the
// closed-grammar pocketsphinx engine over the sentences of sentences.ts filled with the configured
// devices, areas and routines; French has no engine (engineStatus says so). The grammar's inputs
// (devices, areas, routines) all need a restart to change (Daemon.reload), so it is never rebuilt live.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { compileGrammar, readDictionary, type CompiledGrammar } from './grammar.js';
import type { Lang, RecognizerEngine } from './pipeline.js';
import { engineStatus, PocketsphinxEngine, pocketsphinxModelDir } from './recognizer.js';
import { voiceSentences } from './sentences.js';

export interface Recognizers {
  engines: Partial<Record<Lang, RecognizerEngine>>;
  /** Per language, what status and doctor show: the engine, or "no engine for <lang>: why". */
  status: Record<Lang, string>;
  /** Removes the engines' temp dirs. */
  close(): Promise<void>;
}

/** The English grammar of this config, compiled against the pocketsphinx dictionary (OOV words reported), with that dictionary. */
export async function configGrammar(config: Pick<Config, 'devices' | 'areas' | 'routines'>, modelDir = pocketsphinxModelDir): Promise<{ grammar: CompiledGrammar; dictionary: Map<string, string[]> }> {
  const dictionary = await readDictionary(path.join(modelDir, 'cmudict-en-us.dict'));
  return { grammar: compileGrammar(voiceSentences(config, 'en'), (w) => dictionary.has(w)), dictionary };
}

export async function createRecognizers(config: Pick<Config, 'devices' | 'areas' | 'routines'>, log: Logger, modelDir = pocketsphinxModelDir): Promise<Recognizers> {
  const engines: Partial<Record<Lang, RecognizerEngine>> = {};
  const status: Record<Lang, string> = { en: 'no engine for en', fr: `no engine for fr: ${engineStatus('fr', modelDir).detail}` };
  const en = engineStatus('en', modelDir);
  if (!en.isAvailable) {
    status.en = `no engine for en: ${en.detail}`;
    log.warn({ detail: en.detail }, 'voice: no speech recognizer for en');
  } else {
    try {
      const { grammar, dictionary } = await configGrammar(config, modelDir);
      if (grammar.oov.length) log.warn({ oov: grammar.oov.slice(0, 20), count: grammar.oov.length }, 'voice: words the recognizer cannot hear; their sentences and names are left out');
      engines.en = await PocketsphinxEngine.create({ grammar, log, modelDir, dictionary });
      status.en = `pocketsphinx (${grammar.templateCount} sentence patterns, ${grammar.words.length} words)`;
    } catch (err) {
      status.en = `no engine for en: ${(err as Error).message}`;
      log.error({ err }, 'voice: cannot build the English recognizer');
    }
  }
  return {
    engines,
    status,
    close: async () => {
      await Promise.all(Object.values(engines).map((e) => (e instanceof PocketsphinxEngine ? e.close() : undefined)));
    },
  };
}
