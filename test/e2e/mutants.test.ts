import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildKernel } from '../../src/build/index.ts';
import { type BootResult, bootGuest, buildRootfs } from '../../src/guest/index.ts';
import { ARCHS, type Arch } from '../../src/policy/index.ts';
import { bootVariant } from '../guest/e2e-kit.ts';
import { GUEST_MUTANTS, WEAKENED_KERNEL_BREAKS, weakeningFragment } from './mutants.ts';

// Proof that each check can fail: boot deliberately weakened guests and
// require that exactly the checks the table names fail (status fail, not
// error), and every other check still passes. Slow: one extra kernel build
// per arch (cached afterwards) and one TCG boot per mutant.

const scratch: string[] = [];
afterAll(async () => {
  for (const d of scratch) await rm(d, { recursive: true, force: true });
});

function expectExactly(r: BootResult, breaks: readonly string[]): void {
  expect(r.report, `no report: ${r.reason}\n${r.consoleTail}`).toBeDefined();
  const checks = r.report!.checks;
  const notPassed = checks.filter((c) => c.status !== 'pass');
  const show = notPassed.map((c) => `${c.name}: ${c.status} ${c.reason ?? ''} ${c.evidence.join(' | ')}`).join('\n');
  expect(notPassed.map((c) => c.name).sort(), show).toEqual([...breaks].sort());
  for (const c of notPassed) expect(c.status, `${c.name}: ${c.reason} ${c.evidence.join(' | ')}`).toBe('fail');
  expect(r.healthy).toBe(false);
}

async function weakenedKernel(arch: Arch): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `capsem-mutant-kernel-${arch}-`));
  scratch.push(dir);
  const fragment = join(dir, 'weakening.config');
  await writeFile(fragment, weakeningFragment(arch));
  const manifest = await buildKernel({ arch, extraFragment: fragment, allowAuditFailures: true, outDir: join(dir, 'out') });
  return manifest.image.path;
}

// x86_64 by default: one weakened kernel (as issue 4 asks) keeps a cold CI run inside its budget.
// CAPSEM_MUTANT_ARCHS=x86_64,arm64 runs the arm64 mutants too (one more kernel build, 17 more boots).
const MUTANT_ARCHS = (process.env.CAPSEM_MUTANT_ARCHS ?? 'x86_64')
  .split(',')
  .filter((a): a is Arch => (ARCHS as readonly string[]).includes(a));

describe.each(MUTANT_ARCHS)('mutation suite (%s)', (arch) => {
  it('the weakened kernel fails exactly its weakened checks', async () => {
    const kernel = await weakenedKernel(arch);
    const images = await buildRootfs({ arch });
    const r = await bootGuest({ arch, kernel, rootfs: images.squashfs.path, initramfs: images.initramfs.path });
    expectExactly(r, WEAKENED_KERNEL_BREAKS);
  });

  it.each(GUEST_MUTANTS.map((m) => [m.variant.id, m] as const))('guest mutant %s fails exactly its checks', async (_, m) => {
    const r = await bootVariant(arch, m.variant);
    expectExactly(r, m.breaks[arch]);
  });
});
