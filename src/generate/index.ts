// Generation (#11): the llama2.c BPE tokenizer, run.c's sampler, and the llama generator on LiteRT.js.
export { BOS, BpeTokenizer, EOS, TokenizerError, type BpeTokenizerJson } from './bpe.js';
export { argmax, Sampler, sampleMult, sampleTopP, softmaxF32, XorShiftRng, type SamplerOptions } from './sampler.js';
export { causalMask, stepInputs, GenerationAborted, GeneratorModelError, LlamaGenerator, type CompleteOptions, type Completion, type GeneratorConfig, type RunOptions, type StepEvent } from './llama.js';
export { CALL_OPEN, DEFAULT_CALL_LIMITS, formatCall, parseCalls, type CallLimits, type ParsedPlan, type ProposedCall, type RefusedCall } from './calls.js';
export { ChatModel, neutralize, ROLE_SYMBOLS, UNKNOWN_REPLY, type ChatMessage, type ChatOptions, type ChatRole, type ChatTurn } from './chat.js';
export { ChatDataError, evaluateChats, greedyAgreement, readChats, REFUSE_REPLY, type ChatEvalResult, type EvalChat } from './chat-eval.js';
