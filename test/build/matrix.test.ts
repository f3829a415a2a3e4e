import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/build/configure.ts';
import { buildKey } from '../../src/build/key.ts';
import { buildMatrix, MATRIX_FORMATTERS, type MatrixJob } from '../../src/build/matrix.ts';
import { run } from '../../src/cli/main.ts';
import { ARCHS, KERNELS } from '../../src/policy/index.ts';
import { captureIO } from '../helpers/io.ts';

// `capsem-kernel matrix`: the job list for CI engines, each job's build cache key
// computed by the build's own key function without building anything.
// The GitHub output is checked against SchemaStore's github-workflow JSON schema
// as @action-validator/core ships it (the schema and a JSON-schema validator,
// compiled to WebAssembly; the npm registry's @schemastore/github-workflow holds
// only TypeScript types, no schema).

async function cli(...argv: string[]) {
  const io = captureIO();
  io.env = process.env;
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

const jobs: MatrixJob[] = await buildMatrix({ archs: ARCHS, kernels: KERNELS, toolchains: ['gcc'] });

describe('capsem-kernel matrix', () => {
  it('one job per arch x kernel x toolchain, each with the exact build command', () => {
    expect(jobs.map((j) => j.id)).toEqual(ARCHS.flatMap((a) => KERNELS.map((k) => `${a}-${k}-gcc`)));
    for (const j of jobs) {
      expect(j.command).toBe(`capsem-kernel build --arch ${j.arch} --kernel ${j.kernel} --toolchain gcc --json`);
      expect(j.cacheKey).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(jobs.map((j) => j.cacheKey)).size).toBe(jobs.length);
  });

  it('each key is the one the build itself computes (prepare)', async () => {
    for (const j of jobs) {
      const prep = await prepare({ arch: j.arch, kernel: j.kernel, toolchain: j.toolchain });
      expect(j.cacheKey, j.id).toBe(prep.key);
    }
  });

  it('the key needs no unpacked tree: a fresh cache dir gives the same key and unpacks nothing', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'matrix-cache-'));
    const j = jobs.find((x) => x.id === 'x86_64-6.12-gcc')!;
    const { key } = await buildKey({ target: { arch: j.arch, kernel: j.kernel, toolchain: j.toolchain }, env: { CAPSEM_CACHE_DIR: fresh } });
    expect(key).toBe(j.cacheKey);
    expect(existsSync(join(fresh, 'sources'))).toBe(true); // the tarball's hash memo
    expect(readdirSync(join(fresh, 'sources'))).toEqual(['hashes.json']);
  });

  it('--format github is a valid GitHub Actions workflow (SchemaStore schema) carrying every job and key', async () => {
    const r = await cli('matrix', '--format', 'github');
    expect(r.code).toBe(0);
    expect(validateWorkflow(r.out).errors).toEqual([]);
    const keys = [...r.out.matchAll(/^ +cacheKey: "([0-9a-f]{64})"$/gm)].map((m) => m[1]);
    const commands = [...r.out.matchAll(/^ +command: "([^"]+)"$/gm)].map((m) => m[1]);
    expect(keys).toEqual(jobs.map((j) => j.cacheKey));
    expect(commands).toEqual(jobs.map((j) => j.command));
  });

  it('the schema check has teeth: a workflow without runs-on is rejected', () => {
    const broken = MATRIX_FORMATTERS.github(jobs).replace(/^ +runs-on: .*\n/m, '');
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it('--format gitlab: a job per entry, its cache keyed by the build key, its script the command', async () => {
    const r = await cli('matrix', '--format', 'gitlab', '--arch', 'arm64', '--kernel', '6.12', '--toolchain', 'gcc');
    expect(r.code).toBe(0);
    const j = jobs.find((x) => x.id === 'arm64-6.12-gcc')!;
    expect(r.out).toContain(`"build:arm64-6.12-gcc":\n  stage: "build"\n  cache:\n    key: "capsem-kernel-build-${j.cacheKey}"`);
    expect(r.out).toContain(`.capsem-cache/builds/${j.cacheKey}/Image"`);
    expect(r.out).toContain(`    - "${j.command} > manifest.json"`);
  });

  it('--format json lists the jobs and what the key covers; --help says it too', async () => {
    const r = await cli('matrix', '--arch', 'x86_64', '--kernel', '6.1');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.jobs).toEqual([jobs.find((x) => x.id === 'x86_64-6.1-gcc')]);
    expect(out.keyCovers).toMatch(/sha256.*fragment.*compiler/);
    expect((await cli('matrix', '--help')).out).toMatch(/The key covers the kernel source tarball's sha256/);
  });

  it('a bad value: exit 2', async () => {
    const r = await cli('matrix', '--kernel', '5.4');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--kernel must be one of/);
  });
});
