#!/usr/bin/env node
// The CLI runs from the esbuild bundle in dist/ (fast start-up, no TypeScript at run time).
// `npm run build` (done by `npm run setup`, `npm test` and `npm run up`) makes it.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/capsem-kernel.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('capsem-kernel: not built yet; run `npm run setup` (or `npm run build`) first\n');
  process.exit(2);
}
await import(entry.href);
