// The Hermes protocol of Rhasspy 2.5 / Snips, for the messages Wulf answers: NLU queries and TTS.
// Shapes follow the rhasspy-hermes package (camelCase JSON); parsing never throws.
import { z } from 'zod';

const nluQuery = z.object({
  input: z.string().min(1).max(4096),
  siteId: z.string().max(128).default('default'),
  sessionId: z.string().max(256).nullable().optional(),
  id: z.string().max(256).nullable().optional(),
  intentFilter: z.array(z.string()).nullable().optional(),
  lang: z.string().max(16).nullable().optional(),
  customData: z.string().max(4096).nullable().optional(),
});
export type NluQuery = z.output<typeof nluQuery>;

const ttsSay = z.object({
  text: z.string().max(4096),
  siteId: z.string().max(128).default('default'),
  lang: z.string().max(16).nullable().optional(),
  id: z.string().max(256).nullable().optional(),
  sessionId: z.string().max(256).nullable().optional(),
});
export type TtsSay = z.output<typeof ttsSay>;

function parseJson<T>(schema: z.ZodType<T>, payload: Buffer): T | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
  const r = schema.safeParse(json);
  return r.success ? r.data : { error: r.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ') };
}

export const parseNluQuery = (payload: Buffer) => parseJson(nluQuery, payload);
export const parseTtsSay = (payload: Buffer) => parseJson(ttsSay, payload);

export interface HermesSlotInput {
  name: string;
  value: string;
  raw: string;
  start: number;
  end: number;
  confidence?: number;
}

/** `hermes/intent/<intentName>` (NluIntent). */
export function nluIntentPayload(q: NluQuery, intent: string, confidence: number, slots: HermesSlotInput[]): string {
  return JSON.stringify({
    input: q.input,
    intent: { intentName: intent, confidenceScore: confidence },
    siteId: q.siteId,
    id: q.id ?? null,
    slots: slots.map((s) => ({
      entity: s.name,
      value: { kind: 'Unknown', value: s.value },
      slotName: s.name,
      rawValue: s.raw,
      confidence: s.confidence ?? 1,
      range: { start: s.start, end: s.end, rawStart: s.start, rawEnd: s.end },
    })),
    sessionId: q.sessionId ?? null,
    customData: q.customData ?? null,
    asrTokens: [],
    asrConfidence: null,
    rawInput: q.input,
    wakewordId: null,
    lang: q.lang ?? null,
  });
}

/** `hermes/nlu/intentNotRecognized` (NluIntentNotRecognized). */
export function intentNotRecognizedPayload(q: NluQuery): string {
  return JSON.stringify({ input: q.input, siteId: q.siteId, id: q.id ?? null, customData: q.customData ?? null, sessionId: q.sessionId ?? null });
}

/** `hermes/tts/sayFinished` (TtsSayFinished). */
export function sayFinishedPayload(s: TtsSay): string {
  return JSON.stringify({ id: s.id ?? null, siteId: s.siteId, sessionId: s.sessionId ?? null });
}

// Audio side (#12): hotword, ASR and audio-server messages, as rhasspy-hermes 0.6 shapes them.

const asrStartListening = z.object({
  siteId: z.string().min(1).max(128).default('default'),
  sessionId: z.string().max(256).nullable().optional(),
  lang: z.string().max(16).nullable().optional(),
  stopOnSilence: z.boolean().optional(),
  sendAudioCaptured: z.boolean().nullable().optional(),
  wakewordId: z.string().max(128).nullable().optional(),
  intentFilter: z.array(z.string()).nullable().optional(),
});
export type AsrStartListening = z.output<typeof asrStartListening>;
export const parseAsrStartListening = (payload: Buffer) => parseJson(asrStartListening, payload);

/** `hermes/hotword/<wakewordId>/detected` (HotwordDetected). */
export function hotwordDetectedPayload(d: { modelId: string; sensitivity: number; siteId: string; sessionId: string | null; lang: string | null }): string {
  return JSON.stringify({ modelId: d.modelId, modelVersion: '', modelType: 'personal', currentSensitivity: d.sensitivity, siteId: d.siteId, sessionId: d.sessionId, sendAudioCaptured: null, lang: d.lang, customEntities: null });
}

/** `hermes/asr/startListening` (AsrStartListening). */
export function startListeningPayload(s: { siteId: string; sessionId: string; lang: string | null; wakewordId: string | null }): string {
  return JSON.stringify({ siteId: s.siteId, sessionId: s.sessionId, lang: s.lang, stopOnSilence: true, sendAudioCaptured: false, wakewordId: s.wakewordId, intentFilter: null });
}

/** `hermes/asr/textCaptured` (AsrTextCaptured). */
export function textCapturedPayload(c: { text: string; likelihood: number; seconds: number; siteId: string; sessionId: string; wakewordId: string | null; lang: string | null }): string {
  return JSON.stringify({ text: c.text, likelihood: c.likelihood, seconds: c.seconds, siteId: c.siteId, sessionId: c.sessionId, wakewordId: c.wakewordId, asrTokens: null, lang: c.lang });
}

/** `hermes/asr/stopListening` (AsrStopListening). */
export function stopListeningPayload(s: { siteId: string; sessionId: string }): string {
  return JSON.stringify({ siteId: s.siteId, sessionId: s.sessionId });
}

/** `hermes/tts/say` (TtsSay), when Wulf speaks a reply. */
export function ttsSayPayload(s: { text: string; siteId: string; lang: string | null; id: string; sessionId: string | null }): string {
  return JSON.stringify({ text: s.text, siteId: s.siteId, lang: s.lang, id: s.id, sessionId: s.sessionId, volume: null });
}

/** The site id of `hermes/audioServer/<siteId>/<leaf>`, or null for any other topic. */
function audioServerSite(topic: string, leaf: 'audioFrame' | 'playFinished'): string | null {
  const m = /^hermes\/audioServer\/([^/+#]{1,128})\/([A-Za-z]+)$/.exec(topic);
  return m && m[2] === leaf ? m[1]! : null;
}

/** The site id of `hermes/audioServer/<siteId>/audioFrame`, or null for any other topic. */
export const audioFrameSite = (topic: string): string | null => audioServerSite(topic, 'audioFrame');

/** The site id of `hermes/audioServer/<siteId>/playFinished`, or null for any other topic. */
export const playFinishedSite = (topic: string): string | null => audioServerSite(topic, 'playFinished');

// AudioPlayFinished: rhasspy-hermes keeps the site in the topic; a payload siteId is allowed, not needed.
const audioPlayFinished = z.object({
  id: z.string().max(256).nullable().optional(),
  siteId: z.string().max(128).nullable().optional(),
  sessionId: z.string().max(256).nullable().optional(),
});
export type AudioPlayFinished = z.output<typeof audioPlayFinished>;
export const parseAudioPlayFinished = (payload: Buffer) => parseJson(audioPlayFinished, payload);
