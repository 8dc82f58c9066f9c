// Public API of the fluid-knowledge link: the only module allowed to open an internet connection.
export { FluidLink, localDay, tidy, type CloudMode, type FluidAnswer, type FluidBudget, type FluidOutcome, type FluidQuestion, type FluidReason } from './link.js';
export { ChatProvider, ProviderError, resolveProvider, type ChatAnswer, type ChatRequest, type FailureClass } from './provider.js';
export { CircuitBreaker, type BreakerState } from './breaker.js';
export { Connectivity } from './probe.js';
export { KnowledgeBins, relevance } from './bins.js';
export { keywords, questionSimilarity } from './similarity.js';
export { FailureLog, type FailureRecord } from './failure-log.js';
