// Public API of the voice boundary (#12): speech out, and closed-grammar recognition.
export { speakableText, espeakArgs, synthesize, fixWavSizes, wavSeconds, AplaySink, FileSink, MemorySink, type AudioSink, type SynthOptions } from './tts.js';
export { Speaker, type Utterance, type SpeakingEvent } from './speaker.js';
export { runProgram, ProgramError, type RunOptions } from './run-program.js';
export { compileGrammar, expandSentences, normalizeWords, numberToEnglish, parseTemplate, readDictionary, GrammarError, type CompiledGrammar, type GrammarSource, type Lang, type Expr } from './grammar.js';
export { voiceSentences, commandPatterns } from './sentences.js';
export { PocketsphinxEngine, engineStatus, trimSilence, parseHypseg, phoneAgreement, editDistance, defaultMinScore, pocketsphinxModelDir, type RecognizerEngine, type Recognition, type Decoding, type EngineStatus, type PocketsphinxOptions } from './recognizer.js';
