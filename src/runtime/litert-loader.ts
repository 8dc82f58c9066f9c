// Loads LiteRT.js (@litertjs/core, a browser WebAssembly build of LiteRT with XNNPACK) into Node.
// The package's loader runs the Emscripten glue with `importScripts` and reads `self.ModuleFactory`;
// the glue detects Node and expects CommonJS `require`/`__dirname`/`__filename`. This file supplies
// exactly that for the duration of the load and removes what it added afterwards.

import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { loadLiteRt, supportsFeature, type LiteRt } from '@litertjs/core';
import { ModelError } from './errors.js';

export interface LiteRtOptions {
  /** CPU threads for XNNPACK; 1 (the default) loads the single-threaded build. */
  threads?: number;
}

export interface LiteRtRuntime {
  readonly liteRt: LiteRt;
  /** Threads the runtime was loaded for (1: single-threaded build). */
  readonly threads: number;
}

const require = createRequire(import.meta.url);

/** Directory holding the package's .wasm files, resolved from the installed package. */
export function liteRtWasmDir(): string {
  return path.join(path.dirname(require.resolve('@litertjs/core')), '..', 'wasm');
}

/** Whether this Node can run the threaded build (it needs WebAssembly relaxed SIMD: Node 22+). */
export async function threadsSupported(): Promise<boolean> {
  return (await supportsFeature('relaxedSimd')) && (await supportsFeature('threads'));
}

// LiteRT.js keeps one global instance per process; mirror it so every caller shares one load.
let loaded: Promise<LiteRtRuntime> | undefined;
let loadedThreads = 0;

/** Loads LiteRT.js once per process; a second call with another thread count is refused. */
export function loadLiteRtRuntime(options: LiteRtOptions = {}): Promise<LiteRtRuntime> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    return Promise.reject(new ModelError(`runtime: threads must be a positive integer (got ${threads})`, 'runtime'));
  }
  if (loaded !== undefined) {
    if (threads !== loadedThreads) {
      return Promise.reject(new ModelError(`runtime: LiteRT.js is already loaded with ${loadedThreads} thread(s); cannot switch to ${threads} in one process`, 'runtime'));
    }
    return loaded;
  }
  loadedThreads = threads;
  loaded = loadWithShim(threads).catch((err: unknown) => {
    loaded = undefined;
    throw err instanceof ModelError ? err : new ModelError(`runtime: cannot load LiteRT.js: ${String(err)}`, 'runtime', { cause: err });
  });
  return loaded;
}

async function loadWithShim(threads: number): Promise<LiteRtRuntime> {
  const useThreads = threads > 1;
  if (useThreads && !(await threadsSupported())) {
    throw new ModelError(`runtime: ${threads} threads need WebAssembly relaxed SIMD and threads (Node >= 22); this is Node ${process.versions.node}`, 'runtime');
  }
  const g = globalThis as Record<string, unknown>;
  const added: string[] = [];
  const define = (key: string, value: unknown): void => {
    if (g[key] === undefined) { g[key] = value; added.push(key); }
  };
  define('self', globalThis);
  define('importScripts', (url: string) => { g['ModuleFactory'] = quietFactory(runGlue(url, useThreads)); });
  try {
    const liteRt = await loadLiteRt(`${liteRtWasmDir()}/`, { threads: useThreads });
    return { liteRt, threads };
  } finally {
    // The package's loader leaves ModuleFactory/Module set to undefined on the global object.
    for (const key of [...added, 'ModuleFactory', 'Module']) {
      if (g[key] === undefined || added.includes(key)) Reflect.deleteProperty(g, key);
    }
  }
}

/** The C++ runtime's start-up chatter on stderr (INFO lines, and the NPU it never has on a board). */
const CHATTER = /^INFO: |^WARNING: \[npu_registry\.cc:\d+\] NPU accelerator could not be loaded/;

/** Drops the runtime's start-up chatter; its warnings and errors still reach stderr. */
export function quietPrintErr(line: string): void {
  if (!CHATTER.test(line)) process.stderr.write(`${line}\n`);
}

/** Wraps an Emscripten ModuleFactory so the module prints through quietPrintErr. */
function quietFactory(factory: unknown): unknown {
  if (typeof factory !== 'function') return factory;
  const create = factory as (arg?: Record<string, unknown>) => unknown;
  return (arg?: Record<string, unknown>) => create({ ...(arg ?? {}), printErr: quietPrintErr });
}

/** Runs an Emscripten glue file as CommonJS and returns its ModuleFactory. */
function runGlue(file: string, threaded: boolean): unknown {
  // Pthread workers re-load the glue by __filename; in this "type": "module" package a .js file
  // would load as ESM, so the workers get a .cjs copy (kept in the temp dir, not the package).
  const filename = threaded ? cjsCopy(file) : file;
  const source = readFileSync(file, 'utf8');
  const wrapper = `(function (require, __dirname, __filename) {\n${source}\nreturn ModuleFactory;\n})`;
  const fn = vm.runInThisContext(wrapper, { filename: file }) as (r: NodeJS.Require, d: string, f: string) => unknown;
  return fn(createRequire(file), path.dirname(file), filename);
}

function cjsCopy(file: string): string {
  const dir = path.join(tmpdir(), `wulf-litert-${process.getuid?.() ?? 0}`);
  const target = path.join(dir, path.basename(file).replace(/\.js$/, '.cjs'));
  // Copied on every threaded load so a package upgrade never runs a stale glue file.
  mkdirSync(dir, { recursive: true });
  copyFileSync(file, target);
  return target;
}
