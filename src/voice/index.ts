// Public API of the voice boundary (#12): speech out now; closed-grammar recognition next.
export { speakableText, espeakArgs, synthesize, fixWavSizes, wavSeconds, AplaySink, FileSink, MemorySink, type AudioSink, type SynthOptions } from './tts.js';
export { Speaker, type Utterance, type SpeakingEvent } from './speaker.js';
export { runProgram, ProgramError, type RunOptions } from './run-program.js';
