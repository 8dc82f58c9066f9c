// The allow-list: every tool Wulf has, filtered by config. A call names a tool and raw arguments;
// it runs only if the tool is enabled and the arguments pass its schema. Whatever proposed the
// call (the NLU, a routine, a model, the cloud) gets the same check.
import { clearMemory, clockDate, clockTime, voiceOff, voiceOn } from './assistant-tools.js';
import { deviceStatus, homeControl } from './home-control.js';
import { listAdd, listRead, listRemove } from './lists.js';
import { noteForget, noteRecall, noteRemember } from './notes.js';
import { timerCancel, timerStart, timerStatus } from './timers.js';
import { ToolRefusal, type Tool, type ToolContext } from './types.js';

export const allTools: Tool[] = [homeControl, deviceStatus, listAdd, listRemove, listRead, noteRemember, noteRecall, noteForget, timerStart, timerCancel, timerStatus, clockTime, clockDate, clearMemory, voiceOn, voiceOff];

export interface PreparedCall {
  tool: Tool;
  args: unknown;
  isCritical: boolean;
}

export class ToolRegistry {
  private readonly byName: Map<string, Tool>;

  constructor(tools: Tool[], private readonly enabled: readonly string[] | undefined, private readonly critical: readonly string[]) {
    this.byName = new Map(tools.map((t) => [t.name, t]));
  }

  get names(): string[] {
    return [...this.byName.keys()].filter((n) => this.isAllowed(n));
  }

  isAllowed(name: string): boolean {
    return this.byName.has(name) && (this.enabled === undefined || this.enabled.includes(name));
  }

  /** Validate a proposed call; throws ToolRefusal for anything outside the allow-list or schema. */
  prepare(name: string, rawArgs: unknown, ctx: ToolContext): PreparedCall {
    const tool = this.byName.get(name);
    if (!tool) throw new ToolRefusal(`no tool named ${JSON.stringify(name.slice(0, 64))}`, 'unknown_tool');
    if (!this.isAllowed(name)) throw new ToolRefusal(`tool ${name} is not enabled on this board`, 'not_allowed');
    const parsed = tool.args.safeParse(rawArgs ?? {});
    if (!parsed.success) throw new ToolRefusal(`bad arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'args'} ${i.message}`).join('; ')}`, 'bad_args');
    const isCritical = this.critical.includes(name) || (tool.isCritical?.(parsed.data, ctx) ?? false);
    return { tool, args: parsed.data, isCritical };
  }
}
