/**
 * uPlot's script and stylesheet, which the HTML report inlines so that it opens without a network.
 * Read from node_modules once, on first use. The GitHub Action's bundle has no node_modules:
 * tools/bundle-action.mjs replaces this module with one that holds the two texts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface UplotAssets {
  /** uPlot.iife.min.js: defines the global `uPlot`. */
  js: string;
  css: string;
}

let cached: UplotAssets | undefined;

export function uplotAssets(): UplotAssets {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
    cached = { js: read('uPlot.iife.min.js'), css: read('uPlot.min.css') };
  }
  return cached;
}
