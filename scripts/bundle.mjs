// Bundles the CLI (code-split, so each verb loads lazily) and the guest doctor
// (one self-contained file: it runs inside the VM with nothing but node).
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', sourcemap: false, logLevel: 'warning' };

/**
 * Properties of the policy's object literals that only its documentation reads
 * (src/policy/docs.ts, not in the doctor): rules' title, rationale and
 * unobservable, features' title and why. They were two thirds of the doctor's
 * bytecode, loaded on every boot. Dropped from the syntax tree (not the text)
 * of src/policy/** when the doctor is bundled.
 */
export const POLICY_PROSE = new Set(['title', 'rationale', 'unobservable', 'why']);

function dropProse(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const prose = (n) =>
    ts.isPropertyAssignment(n) &&
    ts.isObjectLiteralExpression(n.parent) &&
    (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) &&
    POLICY_PROSE.has(n.name.text);
  const transformer = (context) => (root) => {
    const visit = (n) => (prose(n) ? undefined : ts.visitEachChild(n, visit, context));
    return ts.visitNode(root, visit);
  };
  const [out] = ts.transform(source, [transformer]).transformed;
  return ts.createPrinter({ removeComments: true }).printFile(out);
}

/** esbuild plugin: src/policy/**.ts without POLICY_PROSE. */
export const stripPolicyProse = {
  name: 'strip-policy-prose',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]policy[\\/].*\.ts$/ }, async (args) => ({
      contents: dropProse(args.path, await readFile(args.path, 'utf8')),
      loader: 'ts',
    }));
  },
};

/** The doctor for node (capsem-doctor.js) and for capsem-doctor-rt (capsem-doctor.qjs.js), into `outdir`. */
export async function buildDoctor(outdir, { keepProse = false } = {}) {
  const plugins = keepProse ? [] : [stripPolicyProse];
  await build({
    ...common,
    entryPoints: { 'capsem-doctor': 'src/doctor/entry.ts' },
    outdir,
    minify: true,
    plugins,
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
    outdir,
    minify: true,
    plugins,
    alias: Object.fromEntries(shims.map((m) => [`node:${m}`, `./src/doctor/qjs/${m}.ts`])),
    banner: { js: 'globalThis.__capsemReadyMs=__capsemNative.clockMs();' },
  });
}

async function main() {
  rmSync('dist', { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: { 'capsem-kernel': 'src/cli/entry.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  if (existsSync('src/doctor/entry.ts')) await buildDoctor('dist');
}

// Imported (test/doctor/bundle.test.ts), it only exports.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
