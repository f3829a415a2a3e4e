#!/usr/bin/env node
// Runs the bundled doctor (one file, the same one installed in the guest as
// /usr/local/bin/capsem-doctor). `npm run build` makes it.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/capsem-doctor.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('capsem-doctor: not built yet; run `npm run setup` (or `npm run build`) first\n');
  process.exit(2);
}
await import(entry.href);
