#!/usr/bin/env node
// Bundles the GitHub Action (src/action/main.ts and post.ts) into dist/ for `runs.using: node24`:
// nothing is installed on the runner, so every dependency is inside. The same sources give the
// same bytes (CI's check-dist rebuilds and diffs). Run with `npm run bundle`; an argument writes
// the bundle to another folder (the check-dist test compares one with dist/).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(root, process.argv[2] ?? 'dist');

// src/report/html-assets.ts reads uPlot's files from node_modules at run time; the runner has no
// node_modules, so the bundle gets a module of the same shape that holds their text instead.
const inlineUplot = {
  name: 'inline-uplot',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]report[\\/]html-assets\.ts$/ }, () => {
      const require = createRequire(join(root, 'package.json'));
      const read = (file) => JSON.stringify(readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8'));
      return { contents: `const assets = { js: ${read('uPlot.iife.min.js')}, css: ${read('uPlot.min.css')} };\nexport function uplotAssets() { return assets; }\n`, loader: 'js' };
    });
  },
};
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/action/main.ts', post: 'src/action/post.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies (dockerode, prom-client, ws) call require() and read __dirname/__filename
  // (as free names; `define` points those at the bundle's own): give the ESM bundle all three.
  banner: {
    js: "import { createRequire as __mcprCreateRequire } from 'node:module'; import { dirname as __mcprDirname } from 'node:path'; import { fileURLToPath as __mcprFileUrl } from 'node:url'; const require = __mcprCreateRequire(import.meta.url); const __mcprFile = __mcprFileUrl(import.meta.url); const __mcprDir = __mcprDirname(__mcprFile);",
  },
  define: { __dirname: '__mcprDir', __filename: '__mcprFile' },
  // ssh2 (under dockerode) loads optional native addons in try/catch; the action never uses ssh.
  external: ['cpu-features', '*.node'],
  plugins: [inlineUplot],
});
