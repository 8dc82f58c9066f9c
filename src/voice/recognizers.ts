// Which recognizer each language gets. The closed-grammar pocketsphinx engine (voice-speech) plugs
// in here; until then a language has no engine and the daemon says "no engine for <lang>".
import type { Config } from '../config/index.js';
import type { Lang, Recognition, RecognizerEngine } from './pipeline.js';

/**
 * Test hook (config debug.fixedTranscript): "recognizes" every command as the same sentence, so the
 * path after recognition can be tested end to end on a machine without a recognizer. Never a product setting.
 */
export class FixedTranscriptEngine implements RecognizerEngine {
  constructor(readonly language: Lang, private readonly text: string) {}
  async recognize(pcm16k: Int16Array): Promise<Recognition | null> {
    return pcm16k.length > 0 ? { text: this.text, score: 0 } : null;
  }
}

export function createRecognizers(config: Config): Partial<Record<Lang, RecognizerEngine>> {
  const fixed = config.debug.fixedTranscript;
  if (fixed !== undefined) return { [config.language]: new FixedTranscriptEngine(config.language, fixed) };
  return {};
}
