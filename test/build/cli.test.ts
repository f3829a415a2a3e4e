import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/io.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsem-build-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function io() {
  const x = captureIO();
  x.env = { ...process.env, CAPSEM_CACHE_DIR: join(dir, 'cache') };
  x.cwd = dir;
  return x;
}

// Usage errors: exit 2, one line on stderr, before anything slow happens.
const USAGE: [string[], RegExp][] = [
  [['build'], /--arch is required/],
  [['build', '--arch', 'riscv'], /--arch must be one of x86_64, arm64/],
  [['build', '--arch', 'x86_64', '--kernel', 'five'], /--kernel five is not a kernel series/],
  [['build', '--arch', 'x86_64', '--toolchain', 'icc'], /--toolchain must be one of/],
  [['build', '--arch', 'x86_64', '--jobs', '0'], /--jobs must be a positive integer/],
  [['build', '--arch', 'x86_64', '--jobs', 'lots'], /--jobs must be a positive integer/],
  [['build', '--arch', 'x86_64', '--sha256', 'a'.repeat(64)], /--sha256 goes with --source/],
  [['build', '--arch', 'x86_64', '--configure-only', '--force'], /--configure-only compiles nothing/],
  [['build', '--arch', 'x86_64', '--bogus'], /Unknown option '--bogus'/],
  [['build', '--arch', 'x86_64', '--source', 'k.tar.xz', '--sha256', 'xyz'], /--sha256 must be 64 hex digits/],
];

describe('build CLI', () => {
  for (const [argv, message] of USAGE) {
    it(`${argv.slice(1).join(' ') || '(no options)'} -> exit 2`, async () => {
      const x = io();
      expect(await run(argv, x)).toBe(2);
      expect(x.err).toMatch(message);
      expect(x.err.trim().split('\n')).toHaveLength(1);
    });
  }

  it('--help says loudly that the --unsafe-* flags make an unsafe kernel, and what the exit codes mean', async () => {
    const x = io();
    expect(await run(['build', '--help'], x)).toBe(0);
    expect(x.out).toMatch(/THEY MAKE\s+AN UNSAFE KERNEL/);
    expect(x.out).toMatch(/--unsafe-extra-fragment FILE\s+TEST ONLY, UNSAFE KERNEL/);
    expect(x.out).toMatch(/--unsafe-allow-audit-failures\s+TEST ONLY, UNSAFE KERNEL/);
    expect(x.out).toMatch(/Exit codes: 0 built; 1 the policy did not hold/);
  });

  it('a tarball with the wrong --sha256: exit 2, nothing unpacked', async () => {
    await mkdir(join(dir, 'src', 'linux-x'), { recursive: true });
    await writeFile(join(dir, 'src', 'linux-x', 'Makefile'), '');
    execFileSync('tar', ['-cJf', join(dir, 'k.tar.xz'), '-C', join(dir, 'src'), 'linux-x']);
    const x = io();
    expect(await run(['build', '--arch', 'x86_64', '--source', 'k.tar.xz', '--sha256', 'b'.repeat(64)], x)).toBe(2);
    expect(x.err).toMatch(/k\.tar\.xz: sha256 mismatch: expected b{64}, got [0-9a-f]{64}; nothing unpacked/);
    expect(await readdir(join(dir, 'cache', 'sources')).catch(() => [])).toEqual([]);
  });

  it('a malformed extra fragment: exit 2 naming file and line', async () => {
    await writeFile(join(dir, 'extra.config'), 'CONFIG_MODULES=y\nMODULES=y\n');
    const x = io();
    expect(await run(['build', '--arch', 'x86_64', '--unsafe-extra-fragment', 'extra.config'], x)).toBe(2);
    expect(x.err).toMatch(/extra\.config:2: malformed line/);
  });
});
