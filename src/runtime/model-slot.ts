// Hot swap: one slot serving runs from the current model while a replacement is loaded and checked
// beside it. The switch is one assignment (atomic for callers); runs already started finish on the
// old model, which is released after its last run. A refused replacement leaves the old serving.

import { ModelError } from './errors.js';
import type { LiteRtRuntime } from './litert-loader.js';
import { Model, type TensorRecord } from './model.js';

/** Acceptance check for a candidate (e.g. golden cases); throw to refuse it. */
export type ModelCheck = (candidate: Model) => Promise<void>;

export class ModelSlot {
  private swapQueue: Promise<unknown> = Promise.resolve();
  private gen = 1;

  private constructor(private readonly runtime: LiteRtRuntime, private current: Model, private readonly check: ModelCheck | undefined) {}

  /** Loads and checks the first model. */
  static async create(runtime: LiteRtRuntime, bytes: Uint8Array, check?: ModelCheck): Promise<ModelSlot> {
    const model = await loadChecked(runtime, bytes, check);
    return new ModelSlot(runtime, model, check);
  }

  /** The model serving new runs now. */
  get model(): Model { return this.current; }

  /** Counts successful swaps, starting at 1 for the first model. */
  get generation(): number { return this.gen; }

  /** Runs on the model current at the time of the call, even if a swap completes meanwhile. */
  run(inputs: TensorRecord, signature?: string): Promise<TensorRecord> {
    return this.current.run(inputs, signature);
  }

  /**
   * Loads `bytes` beside the current model, checks it, switches, then releases the old model once
   * its runs in flight have finished. Swaps are serialised. Throws ModelError when the new model is
   * refused; the old one keeps serving.
   */
  swap(bytes: Uint8Array): Promise<void> {
    const next = this.swapQueue.then(async () => {
      const candidate = await loadChecked(this.runtime, bytes, this.check);
      const old = this.current;
      this.current = candidate;
      this.gen++;
      await old.release();
    });
    // Keep the queue alive after a refused swap; the caller still sees the rejection.
    this.swapQueue = next.catch(() => undefined);
    return next;
  }

  /** Releases the current model (after its runs in flight). */
  async close(): Promise<void> {
    await this.swapQueue;
    await this.current.release();
  }
}

async function loadChecked(runtime: LiteRtRuntime, bytes: Uint8Array, check: ModelCheck | undefined): Promise<Model> {
  const model = await Model.fromBytes(runtime, bytes);
  if (check === undefined) return model;
  try {
    await check(model);
    return model;
  } catch (err) {
    await model.release();
    throw err instanceof ModelError ? err : new ModelError(`model refused by its check: ${err instanceof Error ? err.message : String(err)}`, 'check', { cause: err });
  }
}
