// Bundles the CLI (code-split, so each verb loads lazily) and the guest doctor
// (one self-contained file: it runs inside the VM with nothing but node).
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', sourcemap: false, logLevel: 'warning' };

await build({
  ...common,
  entryPoints: { 'capsem-kernel': 'src/cli/entry.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

if (existsSync('src/doctor/entry.ts')) {
  await build({
    ...common,
    entryPoints: { 'capsem-doctor': 'src/doctor/entry.ts' },
    outdir: 'dist',
    minify: true,
  });
}
