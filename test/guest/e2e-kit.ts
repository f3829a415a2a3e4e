import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKernel } from '../../src/build/index.ts';
import { type BootResult, type GuestVariant, bootGuest, buildRootfs } from '../../src/guest/index.ts';
import type { Arch } from '../../src/policy/index.ts';

// Shared by the guest's e2e tests: the real kernel (a cache hit after the first
// build) and real images, booted under whatever `--accel auto` picks.

const kernels = new Map<Arch, Promise<string>>();

/** The policy kernel for `arch`, from the build cache (compiled once if missing). */
export function policyKernel(arch: Arch): Promise<string> {
  let k = kernels.get(arch);
  if (!k) {
    k = mkdtemp(join(tmpdir(), `capsem-e2e-kernel-${arch}-`)).then(async (outDir) => (await buildKernel({ arch, outDir })).image.path);
    kernels.set(arch, k);
  }
  return k;
}

export async function bootVariant(arch: Arch, variant?: GuestVariant, timeoutMs?: number): Promise<BootResult> {
  const kernel = await policyKernel(arch);
  const images = await buildRootfs({ arch, ...(variant ? { variant } : {}) });
  return bootGuest({
    arch,
    kernel,
    rootfs: images.squashfs.path,
    initramfs: images.initramfs.path,
    ...(variant ? { variant } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}
