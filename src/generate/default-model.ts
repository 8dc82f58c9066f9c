// Where the default Jarvis generator ships (built by `npm run models:jarvis`). Its own module, free of
// imports, so the CLI can name it without loading the runtime.
import { fileURLToPath } from 'node:url';

export const DEFAULT_GENERATOR_MODEL = fileURLToPath(new URL('../../../firmware-models/dist/jarvis-mini/model.int8.tflite', import.meta.url));
