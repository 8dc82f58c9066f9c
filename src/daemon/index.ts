// Public API of the daemon boundary: start, stop and reload the whole of Wulf. Only cli/ imports it.
export { Daemon, VERSION } from './daemon.js';
export { runDaemon } from './run.js';
export { createNotifier, watchdogIntervalMs, sockaddrUn, type Notifier } from './notify.js';
export { DEFAULT_NLU_MODEL } from './nlu-service.js';
