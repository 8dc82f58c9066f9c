// Public API of the tools boundary: the allow-listed registry, the tools, the timer scheduler.
export { ToolRegistry, allTools, type PreparedCall } from './registry.js';
export { ToolRefusal, pickVariant, type Tool, type ToolContext, type ToolResult, type TimerScheduler, type Lang } from './types.js';
export { TimerService, type TimerEvent } from './timers.js';
export { commandFor, stateTopicFor, actionsByDomain, DeviceCommandError, type DeviceCommand } from './device-commands.js';
export { rankNotes, cosine } from './notes.js';
