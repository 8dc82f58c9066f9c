// Builds the console's single-page app into dist/src/web/public (run by `npm run build`): main.ts
// bundled and minified by esbuild, index.html and app.css copied. No framework and no CDN: the
// board serves every byte itself, the pages are five small views over a JSON API, and the DOM
// helpers in main.ts only ever create text nodes for data (no innerHTML anywhere).
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../../../dist/src/web/public');
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({ entryPoints: [path.join(here, 'main.ts')], bundle: true, minify: true, format: 'esm', target: 'es2022', outfile: path.join(out, 'app.js'), logLevel: 'warning', legalComments: 'none' });
for (const f of ['index.html', 'app.css', 'icon.svg']) await copyFile(path.join(here, f), path.join(out, f));
