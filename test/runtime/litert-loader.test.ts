// Loading LiteRT.js in Node: the shim leaves no globals behind, the wasm comes from the installed
// package, one load is shared per process, and thread counts are checked.

import test from 'ava';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { liteRtWasmDir, loadLiteRtRuntime, ModelError } from '../../src/runtime/index.js';

test.serial('loads once per process and removes the loader shim from the global object', async (t) => {
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  const runtime = await loadLiteRtRuntime();
  t.is(runtime.threads, 1);
  t.is(await loadLiteRtRuntime(), runtime, 'a second call shares the first load');
  const added = Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k));
  t.deepEqual(added, [], `globals left behind: ${added.join(', ')}`);
  for (const key of ['self', 'importScripts', 'ModuleFactory', 'Module']) t.false(key in globalThis, key);
});

test.serial('refuses another thread count once loaded, and non-positive counts', async (t) => {
  await loadLiteRtRuntime();
  await t.throwsAsync(loadLiteRtRuntime({ threads: 2 }), { instanceOf: ModelError, message: /already loaded with 1 thread\(s\); cannot switch to 2/ });
  await t.throwsAsync(loadLiteRtRuntime({ threads: 0 }), { instanceOf: ModelError, message: /threads must be a positive integer \(got 0\)/ });
});

test('resolves the wasm files from the installed package', (t) => {
  const dir = liteRtWasmDir();
  t.true(dir.includes(path.join('node_modules', '@litertjs', 'core')));
  for (const f of ['litert_wasm_internal.wasm', 'litert_wasm_compat_internal.wasm', 'litert_wasm_threaded_internal.wasm']) t.true(existsSync(path.join(dir, f)), f);
});
