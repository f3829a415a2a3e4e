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
    // The first line of our code, on the guest's clock (src/doctor/timings.ts reads it).
    banner: { js: 'globalThis.__capsemReadyMs=Math.round(Number(process.hrtime.bigint())/1e4)/100;' },
  });
  // The same doctor for capsem-doctor-rt (QuickJS, src/doctor/qjs/): node:* are its shims, one
  // script (no modules) that the image builder compiles to bytecode.
  const shims = ['fs', 'os', 'path', 'crypto', 'child_process'];
  await build({
    ...common,
    platform: 'neutral',
    format: 'iife',
    target: 'es2023',
    entryPoints: { 'capsem-doctor.qjs': 'src/doctor/qjs/entry.ts' },
    outdir: 'dist',
    minify: true,
    alias: Object.fromEntries(shims.map((m) => [`node:${m}`, `./src/doctor/qjs/${m}.ts`])),
    banner: { js: 'globalThis.__capsemReadyMs=__capsemNative.clockMs();' },
  });
}
