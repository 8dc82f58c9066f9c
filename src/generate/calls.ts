// The `<CALL:tool {json}>` lines a generator writes in a plan, read strictly. A call is a tool name
// (lower-case identifier) and an optional JSON object of arguments; the text around calls is what the
// model says. Nothing here runs anything: the calls go to the assistant, which checks each against the
// allow-list and the tool's argument schema (ToolRegistry.prepare) and asks before a critical one.
// Anything malformed is refused with a reason (and the text keeps no half call): an unterminated
// call, a name that is not an identifier, arguments that are not one JSON object, keys that could
// reach an object's prototype, too many calls, too long arguments.

/** A call as the assistant receives it (the shape of assistant's PlannedCall, declared here so this
 * module does not depend on the assistant). */
export interface ProposedCall {
  tool: string;
  args: Record<string, unknown>;
}

export const CALL_OPEN = '<CALL:';
const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface CallLimits {
  /** Calls read from one generation; more are refused. */
  maxCalls: number;
  /** Characters of one call's JSON arguments. */
  maxArgsChars: number;
}

export const DEFAULT_CALL_LIMITS: CallLimits = { maxCalls: 8, maxArgsChars: 2048 };

export interface RefusedCall {
  /** The raw text of the refused call (cut to 120 characters), for the log. */
  raw: string;
  reason: string;
}

export interface ParsedPlan {
  calls: ProposedCall[];
  refused: RefusedCall[];
  /** What the model said outside its calls, whitespace-trimmed. */
  text: string;
}

/** Index just past the JSON value starting at `i` ('{'), honouring strings and escapes; -1 if unterminated. */
function endOfObject(s: string, i: number): number {
  let depth = 0;
  let inString = false;
  for (let j = i; j < s.length; j++) {
    const c = s[j]!;
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
      if (depth < 0) return -1;
    }
  }
  return -1;
}

function hasForbiddenKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasForbiddenKey);
  if (v === null || typeof v !== 'object') return false;
  return Object.keys(v).some((k) => FORBIDDEN_KEYS.has(k) || hasForbiddenKey((v as Record<string, unknown>)[k]));
}

/** Reads every `<CALL:name {args}>` of a generation. */
export function parseCalls(output: string, limits: CallLimits = DEFAULT_CALL_LIMITS): ParsedPlan {
  const calls: ProposedCall[] = [];
  const refused: RefusedCall[] = [];
  const text: string[] = [];
  let i = 0;
  const refuse = (from: number, to: number, reason: string): void => {
    refused.push({ raw: output.slice(from, Math.min(to, from + 120)), reason });
  };
  while (i < output.length) {
    const at = output.indexOf(CALL_OPEN, i);
    if (at < 0) { text.push(output.slice(i)); break; }
    text.push(output.slice(i, at));
    let j = at + CALL_OPEN.length;
    const nameMatch = /^[^\s{[>]*/.exec(output.slice(j))!;
    const name = nameMatch[0];
    j += name.length;
    while (output[j] === ' ') j++;
    let args: unknown = {};
    let argsError: string | null = null;
    if (output[j] === '{' || output[j] === '[') {
      const end = endOfObject(output, j);
      if (end < 0) {
        refuse(at, output.length, 'unterminated arguments');
        i = output.length;
        break;
      }
      const json = output.slice(j, end);
      if (json.length > limits.maxArgsChars) argsError = `arguments longer than ${limits.maxArgsChars} characters`;
      else {
        try {
          args = JSON.parse(json) as unknown;
          if (args === null || typeof args !== 'object' || Array.isArray(args)) argsError = 'arguments are not a JSON object';
          else if (hasForbiddenKey(args)) argsError = 'arguments use a reserved key (__proto__, constructor, prototype)';
        } catch {
          argsError = 'arguments are not valid JSON';
        }
      }
      j = end;
      while (output[j] === ' ') j++;
    }
    if (output[j] !== '>') {
      // No closing '>' where one must be: refuse up to the next newline (or the end).
      const stop = output.indexOf('\n', j);
      const to = stop < 0 ? output.length : stop;
      refuse(at, to, 'unterminated call (no closing ">")');
      i = to;
      continue;
    }
    i = j + 1;
    if (!NAME.test(name)) refuse(at, i, `not a tool name: ${JSON.stringify(name.slice(0, 64))}`);
    else if (argsError !== null) refuse(at, i, argsError);
    else if (calls.length >= limits.maxCalls) refuse(at, i, `more than ${limits.maxCalls} calls`);
    else calls.push({ tool: name, args: args as Record<string, unknown> });
  }
  return { calls, refused, text: text.join('').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim() };
}

/** The call as the model should write it (for prompts and training data). */
export function formatCall(call: ProposedCall): string {
  return `${CALL_OPEN}${call.tool} ${JSON.stringify(call.args)}>`;
}
