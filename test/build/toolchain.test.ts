import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randstructSeed } from '../../src/build/toolchain.ts';

// The randstruct seed: one secret per machine (or team), the same on every build, never the kernel's per-build draw.
const home = mkdtempSync(join(tmpdir(), 'capsem-seed-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('randstruct seed', () => {
  it('is drawn once into the config dir (0600) and the same on every later call', () => {
    const env = { XDG_CONFIG_HOME: home };
    const a = randstructSeed(env);
    const b = randstructSeed(env);
    expect(b).toEqual(a);
    const file = join(home, 'capsem-kernel', 'randstruct.seed');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(a.makeVars).toContain(`KCFLAGS=-DCAPSEM_RANDSTRUCT_SEED_ID=${a.id}`);
  });

  it('CAPSEM_RANDSTRUCT_SEED wins, and the make script writes it in the kernel\'s format', () => {
    const seed = 'ab'.repeat(32);
    const s = randstructSeed({ XDG_CONFIG_HOME: home, CAPSEM_RANDSTRUCT_SEED: seed.toUpperCase() });
    const script = s.makeVars.find((v) => v.startsWith('gen-randstruct-seed='))!.split('=')[1]!;
    const out = mkdtempSync(join(home, 'out-'));
    execFileSync('sh', [script, join(out, 'randstruct.seed'), join(out, 'hash.h')]);
    expect(readFileSync(join(out, 'randstruct.seed'), 'utf8')).toBe(`${seed}\n`);
    expect(readFileSync(join(out, 'hash.h'), 'utf8')).toMatch(/^#define RANDSTRUCT_HASHED_SEED "[0-9a-f]{64}"\n$/);
    expect(s.id).not.toBe(randstructSeed({ XDG_CONFIG_HOME: home }).id);
  });

  it('a malformed CAPSEM_RANDSTRUCT_SEED is bad input, one line', () => {
    expect(() => randstructSeed({ XDG_CONFIG_HOME: home, CAPSEM_RANDSTRUCT_SEED: 'xyz' })).toThrow(
      /^CAPSEM_RANDSTRUCT_SEED: must be 64 hex digits$/,
    );
  });
});
