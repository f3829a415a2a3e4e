import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../../src/guest/index.ts';
import { bootVariant } from '../guest/e2e-kit.ts';

// The result channel is the only thing trusted: a guest that powers off
// without sending, or sends something that is not a frame, is unhealthy, and
// the reason says which. (Truncated and forged frames: test/guest/channel.test.ts.)

// Independent boots: two at a time (the e2e project's maxConcurrency); the 20 s hang overlaps the others.
describe.concurrent('result channel (x86_64)', () => {
  it('a guest that sends nothing is unhealthy: no result', async () => {
    const r = await bootVariant('x86_64', MUTANTS.noResult);
    expect(r.healthy).toBe(false);
    expect(r.reason).toMatch(/^no result: the guest sent nothing on org\.capsem\.doctor$/);
    expect(r.report).toBeUndefined();
    expect(r.qemu.timedOut).toBe(false);
    expect(r.consoleTail).toMatch(/result deliberately not sent/);
  });

  it('a guest that sends garbage is unhealthy: malformed result', async () => {
    const r = await bootVariant('x86_64', MUTANTS.garbageResult);
    expect(r.healthy).toBe(false);
    expect(r.reason).toMatch(/^malformed result on org\.capsem\.doctor: /);
    expect(r.report).toBeUndefined();
  });

  it('a VM still running at the wall-clock limit is killed and unhealthy, with the console tail', async () => {
    const r = await bootVariant('x86_64', MUTANTS.hang, 20_000);
    expect(r.healthy).toBe(false);
    expect(r.qemu.timedOut).toBe(true);
    expect(r.qemu.signal).toBe('SIGKILL');
    expect(r.reason).toMatch(/^the VM did not finish within 20 s and was killed \(no result: /);
    expect(r.consoleTail).toMatch(/capsem-init: hanging on purpose/);
  });
});
