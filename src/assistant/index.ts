// Public API of the assistant boundary: one turn, and the queue that runs turns.
export { Assistant, type TurnInput, type TurnResult, type StatusSnapshot, type AssistantDeps } from './assistant.js';
export { plan, parseDurationMs, KNOWN_INTENTS, type Plan, type PlannedCall } from './plan.js';
export { TurnQueue } from './turn-queue.js';
export { replies, type Lang } from './replies.js';
