// Getting a bundle onto the board: from a retained offer, over MQTT chunks (the device asks for
// what it lacks, so a broker restart or a daemon restart only costs the missing chunks) or over
// HTTP with range requests. The received file goes to the agent only once its sha256 matches.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile, stat, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { OtaAgent, OtaPhase, InstallResult } from './agent.js';

// node:http(s) through require, not import: an ES import of a built-in builds its module facade,
// which reads every export, and node:http's lazy fetch/WebSocket exports then load undici at
// start-up (60 ms here, over a second on a slow board) for nothing.
const require = createRequire(import.meta.url);
const http = require('node:http') as typeof import('node:http');
const https = require('node:https') as typeof import('node:https');

export const offerSchema = z.object({
  bundleId: z.string().regex(/^[A-Za-z0-9_.:-]{8,64}$/),
  name: z.string().max(64),
  version: z.int().min(1),
  size: z.int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  via: z.enum(['mqtt', 'http']),
  url: z.url({ protocol: /^https?$/ }).optional(),
  chunkSize: z.int().min(1024).max(256 * 1024).default(64 * 1024),
});
export type Offer = z.output<typeof offerSchema>;

export interface OtaStatus {
  bundleId: string | null;
  name: string | null;
  version: number | null;
  phase: OtaPhase;
  progress: number;
  result?: InstallResult['result'];
  reason?: string | null;
  models: Record<string, { version: number | null; previous: number | null }>;
  at: string;
}

export interface TransferIo {
  publish(topic: string, payload: string | Buffer, opts?: { retain?: boolean }): void;
  topics: { otaRequest: string; otaStatus: string; otaChunk(bundleId: string): string };
}

const WINDOW = 32; // chunks asked for at once
const STALL_MS = 3000; // ask again for what has not come

interface Download {
  offer: Offer;
  fh: FileHandle;
  have: Set<number>;
  total: number;
  asked: Set<number>;
  stallTimer: NodeJS.Timeout | null;
  lastSavedAt: number;
}

export class OtaTransfer {
  private current: Download | null = null;
  private done: string[] = [];
  private statusValue: OtaStatus;

  constructor(private readonly dir: string, private readonly agent: OtaAgent, private readonly io: TransferIo, private readonly log: Logger) {
    this.statusValue = { bundleId: null, name: null, version: null, phase: 'idle', progress: 0, models: this.modelSummary(), at: new Date().toISOString() };
  }

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.done = JSON.parse(await readFile(path.join(this.dir, 'done.json'), 'utf8').catch(() => '[]')) as string[];
  }

  async stop(): Promise<void> {
    const d = this.current;
    this.current = null;
    if (d?.stallTimer) clearTimeout(d.stallTimer);
    await d?.fh.close().catch(() => undefined); // best effort: the .part file is resumable anyway
  }

  get status(): OtaStatus {
    return this.statusValue;
  }

  /** Phase changes from the agent (verifying, checking, probation, committed…). */
  onAgentPhase(name: string | null, phase: OtaPhase, detail?: Record<string, unknown>): void {
    this.report({ phase, ...(name ? { name } : {}), ...(typeof detail?.reason === 'string' ? { reason: detail.reason } : {}) });
  }

  /** A (retained) offer arrived; garbage is logged and ignored. */
  async onOffer(payload: Buffer): Promise<void> {
    if (payload.length === 0) return; // an offer withdrawn (empty retained message)
    let offer: Offer;
    try {
      const r = offerSchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      offer = r.data;
    } catch (err) {
      this.log.warn({ reason: (err as Error).message }, 'ignored malformed OTA offer');
      return;
    }
    if (this.done.includes(offer.bundleId) || this.current?.offer.bundleId === offer.bundleId) return;
    if (this.current) {
      this.log.warn({ busy: this.current.offer.bundleId, offered: offer.bundleId }, 'an update is already downloading; ignoring the new offer for now');
      return;
    }
    if (offer.via === 'http' && !offer.url) return this.finish(offer, { result: 'rejected', name: offer.name, version: offer.version, reason: 'http offer without url' });
    this.report({ bundleId: offer.bundleId, name: offer.name, version: offer.version, phase: 'downloading', progress: 0, result: undefined, reason: null });
    const total = Math.ceil(offer.size / offer.chunkSize);
    const partFile = path.join(this.dir, `${offer.bundleId}.part`);
    const fh = await open(partFile, await stat(partFile).then(() => 'r+', () => 'w+'));
    await fh.truncate(offer.size);
    const have = new Set(JSON.parse(await readFile(path.join(this.dir, `${offer.bundleId}.have.json`), 'utf8').catch(() => '[]')) as number[]);
    this.current = { offer, fh, have, total, asked: new Set(), stallTimer: null, lastSavedAt: Date.now() };
    if (have.size) this.log.info({ bundleId: offer.bundleId, have: have.size, total }, 'resuming an interrupted download');
    if (offer.via === 'http') void this.downloadHttp(this.current);
    else this.requestMore(this.current);
  }

  /** After a reconnect: ask again for whatever is missing. */
  onReconnect(): void {
    if (this.current && this.current.offer.via === 'mqtt') {
      this.current.asked.clear();
      this.requestMore(this.current);
    }
  }

  async onChunk(payload: Buffer): Promise<void> {
    const d = this.current;
    if (!d || payload.length < 36) return;
    const index = payload.readUInt32BE(0);
    const hash = payload.subarray(4, 36);
    const data = payload.subarray(36);
    if (index >= d.total || d.have.has(index)) return;
    const expectedLen = index === d.total - 1 ? d.offer.size - index * d.offer.chunkSize : d.offer.chunkSize;
    if (data.length !== expectedLen || !createHash('sha256').update(data).digest().equals(hash)) {
      this.log.warn({ index }, 'OTA chunk failed its hash; asking again');
      d.asked.delete(index);
      return;
    }
    await d.fh.write(data, 0, data.length, index * d.offer.chunkSize);
    d.have.add(index);
    d.asked.delete(index);
    if (Date.now() - d.lastSavedAt > 1000 || d.have.size === d.total) await this.saveHave(d);
    this.report({ progress: d.have.size / d.total });
    if (d.have.size === d.total) return this.complete(d);
    if (d.asked.size === 0) this.requestMore(d);
  }

  private requestMore(d: Download): void {
    const missing: number[] = [];
    for (let i = 0; i < d.total && missing.length < WINDOW; i++) if (!d.have.has(i) && !d.asked.has(i)) missing.push(i);
    for (const i of missing) d.asked.add(i);
    if (missing.length) this.io.publish(this.io.topics.otaRequest, JSON.stringify({ bundleId: d.offer.bundleId, chunks: missing }));
    if (d.stallTimer) clearTimeout(d.stallTimer);
    d.stallTimer = setTimeout(() => {
      if (this.current !== d) return;
      d.asked.clear();
      this.requestMore(d);
    }, STALL_MS);
  }

  private async saveHave(d: Download): Promise<void> {
    await d.fh.sync(); // the data first, then the claim that we have it
    await writeFile(path.join(this.dir, `${d.offer.bundleId}.have.json`), JSON.stringify([...d.have]));
    d.lastSavedAt = Date.now();
  }

  private async downloadHttp(d: Download): Promise<void> {
    // Sequential with range requests: what is on disk (contiguous prefix) is not fetched again.
    let have = 0;
    while (d.have.has(have)) have += 1;
    let offset = have * d.offer.chunkSize;
    for (let attempt = 0; attempt < 8 && offset < d.offer.size && this.current === d; attempt++) {
      try {
        offset = await this.fetchRange(d, offset);
      } catch (err) {
        this.log.warn({ err: (err as Error).message, offset, attempt }, 'OTA HTTP download interrupted; resuming');
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
    if (this.current !== d) return;
    if (offset < d.offer.size) return this.finish(d.offer, { result: 'rejected', name: d.offer.name, version: d.offer.version, reason: 'download failed after 8 attempts' });
    for (let i = 0; i < d.total; i++) d.have.add(i);
    await this.saveHave(d);
    await this.complete(d);
  }

  private fetchRange(d: Download, from: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const url = new URL(d.offer.url!);
      const get = url.protocol === 'https:' ? https.get : http.get;
      const req = get(url, { headers: { Range: `bytes=${from}-` }, timeout: 15_000 }, (res) => {
        if (res.statusCode !== 206 && !(res.statusCode === 200 && from === 0)) {
          res.resume();
          return reject(new Error(`HTTP ${res.statusCode}`));
        }
        let offset = from;
        let writing = Promise.resolve();
        res.on('data', (chunk: Buffer) => {
          if (offset + chunk.length > d.offer.size) {
            req.destroy(new Error('server sent more than the offered size'));
            return;
          }
          const at = offset;
          offset += chunk.length;
          writing = writing.then(async () => {
            await d.fh.write(chunk, 0, chunk.length, at);
          });
          this.report({ progress: offset / d.offer.size });
        });
        res.on('end', () => void writing.then(() => resolve(offset), reject));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('HTTP timeout')));
      req.on('error', reject);
    });
  }

  private async complete(d: Download): Promise<void> {
    if (d.stallTimer) clearTimeout(d.stallTimer);
    await d.fh.sync();
    await d.fh.close();
    const partFile = path.join(this.dir, `${d.offer.bundleId}.part`);
    const hash = createHash('sha256');
    for await (const c of createReadStream(partFile)) hash.update(c as Buffer);
    if (hash.digest('hex') !== d.offer.sha256) {
      this.current = null;
      return this.finish(d.offer, { result: 'rejected', name: d.offer.name, version: d.offer.version, reason: 'the downloaded bundle does not match the offered sha256' });
    }
    const result = await this.agent.install(createReadStream(partFile), d.offer.size);
    this.current = null;
    await this.finish(d.offer, result);
  }

  private async finish(offer: Offer, result: InstallResult): Promise<void> {
    this.done = [...this.done.slice(-49), offer.bundleId];
    await writeFile(path.join(this.dir, 'done.json'), JSON.stringify(this.done));
    await rm(path.join(this.dir, `${offer.bundleId}.part`), { force: true });
    await rm(path.join(this.dir, `${offer.bundleId}.have.json`), { force: true });
    this.report({ bundleId: offer.bundleId, name: offer.name, version: offer.version, phase: result.result, progress: result.result === 'committed' ? 1 : this.statusValue.progress, result: result.result, reason: result.reason });
  }

  private modelSummary(): OtaStatus['models'] {
    return Object.fromEntries(Object.entries(this.agent.models()).map(([n, m]) => [n, { version: m.active?.version ?? null, previous: m.previous?.version ?? null }]));
  }

  private lastReportAt = 0;
  private report(patch: Partial<OtaStatus>): void {
    const isProgressOnly = Object.keys(patch).length === 1 && 'progress' in patch;
    this.statusValue = { ...this.statusValue, ...patch, models: this.modelSummary(), at: new Date().toISOString() };
    // Progress is throttled to 4 messages a second; phase changes always go out.
    if (isProgressOnly && Date.now() - this.lastReportAt < 250 && patch.progress !== 1) return;
    this.lastReportAt = Date.now();
    this.io.publish(this.io.topics.otaStatus, JSON.stringify(this.statusValue), { retain: true });
  }
}
