import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MakeFailedError, runMake } from '../../src/build/make.ts';
import { InterruptedError } from '../../src/util/errors.ts';

let dir: string | undefined;
afterEach(async () => dir && rm(dir, { recursive: true, force: true }));

/** Running, not a zombie waiting for a parent (PID 1 here) to reap it. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && stat.split(') ')[1]?.[0] !== 'Z';
}

describe('runMake', () => {
  it('Ctrl-C kills the whole process group, not just make', async () => {
    dir = await mkdtemp(join(tmpdir(), 'capsem-make-'));
    // A recipe whose shell starts a grandchild, as make -> gcc -> cc1 does.
    await writeFile(join(dir, 'Makefile'), 'all:\n\tsleep 30 & echo $$! > child.pid; wait\n');
    const ac = new AbortController();
    const logPath = join(dir, 'make.log');
    const run = runMake({ args: ['-C', dir], env: process.env, logPath, what: 'test', signal: ac.signal });
    let pid = 0;
    while (!pid) {
      await new Promise((r) => setTimeout(r, 50));
      pid = Number(await readFile(join(dir, 'child.pid'), 'utf8').catch(() => '0'));
    }
    expect(await alive(pid)).toBe(true);
    ac.abort();
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    await new Promise((r) => setTimeout(r, 100));
    expect(await alive(pid)).toBe(false);
  });

  it('a failing make is a MakeFailedError carrying the log tail', async () => {
    dir = await mkdtemp(join(tmpdir(), 'capsem-make-'));
    await writeFile(join(dir, 'Makefile'), 'all:\n\t@echo "foo.c:1: error: boom"; false\n');
    const err = await runMake({ args: ['-C', dir], env: process.env, logPath: join(dir, 'make.log'), what: 'make all' }).catch((e) => e);
    expect(err).toBeInstanceOf(MakeFailedError);
    expect((err as MakeFailedError).logTail).toMatch(/error: boom/);
  });
});
