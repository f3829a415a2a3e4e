// make's log on a full disk: runMake appends everything make prints to a log
// file; when that file cannot be written (ENOSPC on a tmpfs mounted here, full
// before make starts) make is stopped and the run ends with the one
// "no space" line (exit 2), not an unhandled stream error that kills the
// process and leaves make, the cache entry and its lock behind.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMake } from '../../src/build/make.ts';
import { EnvironmentError } from '../../src/util/errors.ts';

const base = mkdtempSync(join(tmpdir(), 'capsem-faults-makelog-'));
const disk = join(base, 'disk');
mkdirSync(disk);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'capsem-makelog', disk]);
afterAll(() => {
  execFileSync('umount', ['-l', disk]);
  rmSync(base, { recursive: true, force: true });
});

describe('make log on a full disk', () => {
  it('make is stopped and the error is the one no-space line naming the log', async () => {
    // Fill the tmpfs: dd stops at ENOSPC (its failure is the point).
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(disk, 'fill')}`, 'bs=64k'], { stdio: 'ignore' });
    } catch {
      // the disk is full
    }
    const tree = join(base, 'tree');
    mkdirSync(tree);
    const finished = join(tree, 'finished');
    // Prints for a while, then marks that it ran to the end: a stopped make never gets there.
    writeFileSync(join(tree, 'Makefile'), `all:\n\t@for i in $$(seq 1 50); do echo line $$i; sleep 0.1; done\n\t@touch ${finished}\n`);
    const logPath = join(disk, 'make.log');
    const err = await runMake({ args: ['-C', tree], env: process.env, logPath, what: 'make all' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toBe(
      `${logPath}: no space left on device while writing the log of make all; nothing was kept (free some space: \`capsem-kernel cache prune\`)`,
    );
    expect(existsSync(finished)).toBe(false);
  });
});
