// The configured microWakeWord models as the Wyoming server's `wake` service: the model files are read
// once; each detection request gets its own frontend and freshly compiled detectors (the models keep
// streaming state inside the compiled model, so two clients must never share one).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LiteRtRuntime } from '../runtime/index.js';
import { MicroFrontend } from '../audio/frontend.js';
import { readModelFiles, resolveModelsDir, WakeWordDetector, WakeWords, type Manifest, type WakeConfig } from '../audio/wakeword.js';
import type { VoiceServices, WakeHit, WakeModelInfo, WakeStream } from '../audio/wyoming.js';

interface LoadedModel { id: string; bytes: Uint8Array; manifest: Manifest; cutoff?: number; info: WakeModelInfo }

/** Languages a microWakeWord manifest says it was trained on (`trained_languages`), else []. */
async function trainedLanguages(dir: string, id: string): Promise<string[]> {
  try {
    const json = JSON.parse(await readFile(path.join(dir, `${id}.json`), 'utf8')) as { trained_languages?: unknown; website?: unknown; author?: unknown };
    return Array.isArray(json.trained_languages) ? json.trained_languages.filter((l): l is string => typeof l === 'string') : [];
  } catch { return []; }
}

/** The `wake` service over the configured wake words (config.audio: modelsDir, wake.words, wake.refractoryMs). */
export async function wakeService(runtime: LiteRtRuntime, audio: WakeConfig): Promise<NonNullable<VoiceServices['wake']>> {
  const dir = resolveModelsDir(audio.modelsDir);
  const models: LoadedModel[] = [];
  for (const w of audio.wake.words) {
    const { bytes, manifest } = await readModelFiles(dir, w.id);
    const info: WakeModelInfo = {
      name: w.id,
      phrase: manifest.wakeWord,
      languages: await trainedLanguages(dir, w.id),
      description: `microWakeWord v2 "${manifest.wakeWord}"`,
      attribution: { name: 'microWakeWord (Kevin Ahrendt)', url: 'https://github.com/kahrendt/microWakeWord' },
    };
    models.push({ id: w.id, bytes, manifest, ...(w.cutoff === undefined ? {} : { cutoff: w.cutoff }), info });
  }
  const refractoryMs = audio.wake.refractoryMs;
  return {
    program: { name: 'wulf-wake', description: 'Wulf wake word detection (microWakeWord on LiteRT)' },
    models: models.map((m) => m.info),
    async open(names?: string[]): Promise<WakeStream> {
      const chosen = names === undefined ? models : models.filter((m) => names.includes(m.id));
      const detectors: WakeWordDetector[] = [];
      try {
        for (const m of chosen) {
          detectors.push(await WakeWordDetector.fromBytes(runtime, m.id, m.bytes, m.manifest, { refractoryMs, ...(m.cutoff === undefined ? {} : { cutoff: m.cutoff }) }));
        }
      } catch (err) {
        await Promise.all(detectors.map((d) => d.release()));
        throw err;
      }
      const words = WakeWords.of(detectors);
      const frontend = new MicroFrontend();
      return {
        async push(pcm: Int16Array): Promise<WakeHit[]> {
          const hits: WakeHit[] = [];
          for (const frame of frontend.process(pcm)) {
            for (const d of await words.push(frame)) hits.push({ name: d.id, atMs: d.atMs });
          }
          return hits;
        },
        release: () => words.release(),
      };
    },
  };
}
