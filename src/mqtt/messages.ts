// The shape of every payload on Wulf's own topics, validated where it comes in.
// Parsing never throws: bad input becomes an InputError with a code for the `error` topic.
import { z } from 'zod';

export type ErrorCode =
  | 'empty'
  | 'too_large'
  | 'bad_utf8'
  | 'bad_json'
  | 'bad_request'
  | 'unknown_command'
  | 'busy'
  | 'shutting_down'
  | 'internal';

export interface InputError {
  code: ErrorCode;
  message: string;
  /** The request id, when it could be read. */
  id?: string;
}

export interface AskRequest {
  text: string;
  id?: string;
  lang?: 'en' | 'fr';
  /** Conversation the ask belongs to (confirmations are scoped to it); default: the topic's. */
  session?: string;
}

const askSchema = z.object({
  text: z.string().trim().min(1, 'must not be empty'),
  id: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
  lang: z.enum(['en', 'fr']).optional(),
  session: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Payload bytes → an ask, or the reason it is refused. Plain text and JSON objects are both asks. */
export function parseAsk(payload: Buffer, maxBytes: number): AskRequest | InputError {
  if (payload.length === 0) return { code: 'empty', message: 'empty payload: send text or {"text": "…"}' };
  if (payload.length > maxBytes) {
    return { code: 'too_large', message: `payload is ${payload.length} bytes; the limit is ${maxBytes}` };
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { code: 'bad_utf8', message: 'payload is not valid UTF-8' };
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) return { code: 'empty', message: 'payload is only white space' };
  if (!trimmed.startsWith('{')) return { text: trimmed };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (err) {
    return { code: 'bad_json', message: `payload starts with "{" but is not valid JSON: ${(err as Error).message}` };
  }
  const result = askSchema.safeParse(json);
  if (!result.success) {
    const id = typeof (json as { id?: unknown }).id === 'string' ? ((json as { id: string }).id.slice(0, 128)) : undefined;
    const message = result.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
    return { code: 'bad_request', message, ...(id ? { id } : {}) };
  }
  return result.data;
}

export function isInputError(x: AskRequest | InputError): x is InputError {
  return 'code' in x;
}

/** What `reply` carries for one turn. */
export interface ReplyPayload {
  id: string;
  text: string;
  intent: string | null;
  slots: Record<string, unknown>;
  actions: unknown[];
  source: 'local' | 'memory' | 'model' | 'cloud';
  latency_ms: number;
  /** Machine-readable extras (e.g. the `/status` figures). */
  data?: Record<string, unknown>;
}

export interface ErrorPayload extends InputError {
  /** The topic the refused input came in on. */
  topic: string;
}
