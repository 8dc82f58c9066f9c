// Read-only views of daemon state for the console, as plain JSON (pure functions over the store's
// data and the OTA agent's state, so they are tested without a server).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { foldText, type StoreData } from '../memory/index.js';
import type { Manifest, ModelState } from '../ota/index.js';
import type { MemoryView, ModelView, TurnView } from './types.js';

/** Notes, lists, timers and knowledge bins; `query` keeps what contains it (accent- and case-insensitive). */
export function memoryView(data: Readonly<StoreData>, query: string): MemoryView {
  const q = foldText(query.trim());
  const has = (...texts: Array<string | null>): boolean => !q || texts.some((t) => t !== null && foldText(t).includes(q));
  return {
    query,
    notes: data.notes.filter((n) => has(n.text)).map((n) => ({ id: n.id, text: n.text, createdAt: n.createdAt })),
    lists: Object.entries(data.lists).map(([name, items]) => ({ name, items: items.filter((i) => has(i.text, name)).map((i) => ({ id: i.id, text: i.text, addedAt: i.addedAt })) })),
    timers: data.timers.filter((t) => has(t.name)).map((t) => ({ id: t.id, name: t.name, durationMs: t.durationMs, dueAt: new Date(t.dueAt).toISOString() })),
    bins: data.bins.filter((b) => has(b.topic, b.question, b.answer)).map((b) => ({ id: b.id, topic: b.topic, question: b.question, answer: b.answer, source: b.source, createdAt: b.createdAt, lastUsedAt: b.lastUsedAt, uses: b.uses, decay: b.decay })),
  };
}

/** What `GET /api/memory/export` downloads: the person's memory, without the conversation log. */
export function memoryExport(data: Readonly<StoreData>, deviceId: string): unknown {
  const v = memoryView(data, '');
  return { format: 'wulf-memory-export', version: 1, deviceId, exportedAt: new Date().toISOString(), notes: v.notes, lists: v.lists, timers: v.timers, bins: v.bins };
}

/** The most recent turns (newest first), user text and reply paired, with the turn's metric. */
export function turnsView(data: Readonly<StoreData>, limit: number): TurnView[] {
  const metrics = new Map(data.metrics.map((m) => [m.turnId, m]));
  const out: TurnView[] = [];
  const msgs = data.messages;
  for (let i = msgs.length - 1; i >= 0 && out.length < limit; i--) {
    const reply = msgs[i]!;
    if (reply.role !== 'assistant') continue;
    const user = msgs[i - 1]?.turnId === reply.turnId && msgs[i - 1]!.role === 'user' ? msgs[i - 1]! : null;
    const m = metrics.get(reply.turnId);
    out.push({
      turnId: reply.turnId,
      ts: reply.ts,
      channel: user?.source ?? '?',
      lang: reply.lang,
      text: user?.text ?? '',
      reply: reply.text,
      intent: reply.intent,
      slots: (user?.slots ?? []).map((s) => ({ name: s.name, value: s.value })),
      actions: reply.actions ?? [],
      source: reply.source,
      latencyMs: reply.latencyMs,
      confidence: m?.confidence ?? null,
      stages: m?.stages ?? {},
    });
  }
  return out;
}

/** A model in service that did not come through OTA: the config's file or the one shipped with Wulf. */
export interface LocalModel {
  name: string;
  version: string;
  kind: 'nlu' | 'generator';
  file: string;
  origin: 'shipped' | 'config';
}

/** OTA models (slots, probation, last result, manifest provenance) and the local ones, one list. */
export async function modelsView(o: { otaEnabled: boolean; ota: Record<string, ModelState>; otaManifest: (name: string, slot: 'a' | 'b') => Promise<Manifest | null>; served: Set<string>; local: LocalModel[] }): Promise<ModelView[]> {
  const out: ModelView[] = [];
  for (const [name, state] of Object.entries(o.ota)) {
    const manifest = state.active ? await o.otaManifest(name, state.active.slot) : null;
    out.push({
      name,
      kind: manifest?.model.kind ?? '?',
      origin: 'ota',
      version: String(state.active?.version ?? '—'),
      file: null,
      inService: o.served.has(name),
      slots: {
        active: state.active ? { slot: state.active.slot, version: state.active.version, bundleId: state.active.bundleId } : null,
        previous: state.previous ? { slot: state.previous.slot, version: state.previous.version, bundleId: state.previous.bundleId } : null,
      },
      probation: state.probation ? { slot: state.probation.slot, version: state.probation.version, since: state.probation.since } : null,
      last: state.last,
      canRollback: !!state.previous,
      provenance: manifest ? { recipe: manifest.provenance.recipe, dataHash: manifest.provenance.dataHash, parentVersion: manifest.provenance.parentVersion, createdAt: manifest.createdAt, commands: [] } : null,
      metrics: manifest ? manifest.provenance.metrics : null,
    });
  }
  for (const m of o.local) {
    if (o.served.has(m.name)) continue;
    const manifest = await shippedManifest(m.file);
    out.push({
      name: m.name,
      kind: m.kind,
      origin: m.origin,
      version: m.version,
      file: m.file,
      inService: true,
      slots: null,
      probation: null,
      last: null,
      canRollback: false,
      provenance: manifest ? { recipe: str(manifest.recipe), dataHash: str((manifest.data as { sha256?: unknown } | undefined)?.sha256), parentVersion: null, createdAt: str(manifest.created_at ?? manifest.createdAt), commands: Array.isArray(manifest.commands) ? manifest.commands.filter((c): c is string => typeof c === 'string') : [] } : null,
      metrics: manifest ? headlineMetrics(manifest) : null,
    });
  }
  return out;
}

/** The factory's manifest.json beside a shipped model (firmware-models/dist/<name>/), if there is one. */
async function shippedManifest(file: string): Promise<Record<string, unknown> | null> {
  try {
    const m = JSON.parse(await readFile(path.join(path.dirname(file), 'manifest.json'), 'utf8')) as unknown;
    return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The evaluation figures of a factory manifest: test-split metrics when present, else whatever it has. */
function headlineMetrics(m: Record<string, unknown>): Record<string, unknown> | null {
  const metrics = m.metrics as Record<string, unknown> | undefined;
  const tflite = m.tflite as { test_split_int8?: unknown } | undefined;
  if (tflite?.test_split_int8) return { test_int8: tflite.test_split_int8 };
  if (metrics && typeof metrics === 'object') return 'test' in metrics ? { test: metrics.test } : metrics;
  return null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
