// The toolchain side of the preprocessor: the recorded environment of a
// configured tree, the kernel version, do_shell()'s output rules, and the
// per-toolchain cache of probe answers.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shellOutput } from '../../src/kconfig/macro.ts';
import { cachedShell, envFromConfiguredTree, kernelVersionOf } from '../../src/kconfig/toolchain.ts';
import { InputError } from '../../src/util/errors.ts';

const scratch = mkdtempSync(join(tmpdir(), 'capsem-kconfig-toolchain-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('envFromConfiguredTree', () => {
  it('reads the variables conf recorded in include/config/auto.conf.cmd', () => {
    const dir = join(scratch, 'built');
    mkdirSync(join(dir, 'include/config'), { recursive: true });
    writeFileSync(
      join(dir, 'include/config/auto.conf.cmd'),
      'deps_config := \\\n\tKconfig\n\nifneq "$(SRCARCH)" "x86"\n$(autoconfig): FORCE\nendif\n\nifneq "$(CC_VERSION_TEXT)" "gcc (Debian 12.2.0-14) 12.2.0"\n$(autoconfig): FORCE\nendif\n',
    );
    expect(envFromConfiguredTree(dir)).toEqual({ SRCARCH: 'x86', CC_VERSION_TEXT: 'gcc (Debian 12.2.0-14) 12.2.0' });
  });

  it('refuses a file that is not conf\'s', () => {
    const bogus = join(scratch, 'bogus.cmd');
    writeFileSync(bogus, 'nothing here\n');
    expect(() => envFromConfiguredTree(bogus)).toThrow(InputError);
    expect(() => envFromConfiguredTree(join(scratch, 'missing'))).toThrow(/cannot read/);
  });
});

describe('kernelVersionOf', () => {
  it('reads VERSION, PATCHLEVEL, SUBLEVEL and an empty EXTRAVERSION without running into the next line', () => {
    const dir = join(scratch, 'linux');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\nNAME = Baby Opossum Posse\n');
    expect(kernelVersionOf(dir)).toEqual({ version: '6.12.117', major: 6, minor: 12 });
    expect(() => kernelVersionOf(scratch)).toThrow(/not a kernel source tree/);
  });
});

describe('$(shell,...) output', () => {
  it('drops trailing newlines, turns inner ones into spaces, keeps at most 4095 bytes', () => {
    expect(shellOutput('a\nb\n\n\n')).toBe('a b');
    expect(shellOutput('x'.repeat(5000))).toHaveLength(4095);
  });
});

describe('cachedShell', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.CAPSEM_CACHE_DIR;
    process.env.CAPSEM_CACHE_DIR = join(scratch, 'cache');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.CAPSEM_CACHE_DIR;
    else process.env.CAPSEM_CACHE_DIR = saved;
  });

  it('runs a command once per environment, with that environment, stdout only', () => {
    const counter = join(scratch, 'runs');
    writeFileSync(counter, '');
    const cmd = `echo run >> ${counter}; echo "cc=$CC"; echo oops >&2`;
    const first = cachedShell({ CC: 'fake-gcc' });
    expect(first.run(cmd)).toBe('cc=fake-gcc\n');
    first.save();
    const second = cachedShell({ CC: 'fake-gcc' });
    expect(second.run(cmd)).toBe('cc=fake-gcc\n');
    expect(readFileSync(counter, 'utf8')).toBe('run\n');
    // Another toolchain is another cache.
    const other = cachedShell({ CC: 'other-gcc' });
    expect(other.run(cmd)).toBe('cc=other-gcc\n');
    other.save();
    expect(readFileSync(counter, 'utf8')).toBe('run\nrun\n');
  });
});
