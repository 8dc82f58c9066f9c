// Public API of the web console boundary (#14).
export { WebConsole, HttpError, PUBLIC_DIR, type WebOptions } from './server.js';
export { memoryView, memoryExport, turnsView, modelsView, type LocalModel } from './views.js';
export type { ConsoleDeps, ConsoleEvent, Forget, MemoryView, ModelView, ModelsView, TurnView } from './types.js';
