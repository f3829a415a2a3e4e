import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type BuildOptions, type Manifest, buildKernel, progressLog } from '../../src/build/index.ts';
import { type BootResult, type GuestVariant, type KernelIdentity, bootGuest, buildRootfs, manifestIdentity } from '../../src/guest/index.ts';
import type { Arch } from '../../src/policy/index.ts';

// Shared by the guest's e2e tests: the real kernel (a cache hit after the first
// build) and real images, booted under whatever `--accel auto` picks.

/** buildKernel with its progress logged to stderr (a line at least every 30 s): a test's compile never looks hung. */
export async function loggedBuild(opts: BuildOptions): Promise<Manifest> {
  const log = progressLog((l) => process.stderr.write(l), `test build ${opts.arch}`);
  try {
    return await buildKernel({ ...opts, onProgress: log.onProgress });
  } finally {
    log.stop();
  }
}

const kernels = new Map<Arch, Promise<Manifest>>();

/** The policy kernel for `arch`, from the build cache (compiled once if missing). */
export function policyKernel(arch: Arch): Promise<Manifest> {
  let k = kernels.get(arch);
  if (!k) {
    k = mkdtemp(join(tmpdir(), `capsem-e2e-kernel-${arch}-`)).then((outDir) => loggedBuild({ arch, outDir }));
    kernels.set(arch, k);
  }
  return k;
}

/** The identity a published build gives its image (its manifest.json sits beside it). */
export function identityOf(m: Manifest): KernelIdentity {
  return manifestIdentity(join(dirname(m.image.path), 'manifest.json'), m);
}

/** Boots the policy kernel (or `kernel`, e.g. a weakened one) with the guest images of `variant`. */
export async function bootVariant(
  arch: Arch,
  variant?: GuestVariant,
  timeoutMs?: number,
  kernel?: { image: string; identity: KernelIdentity },
): Promise<BootResult> {
  const policy = kernel ? undefined : await policyKernel(arch);
  const images = await buildRootfs({ arch, ...(variant ? { variant } : {}) });
  return bootGuest({
    arch,
    kernel: kernel?.image ?? policy!.image.path,
    identity: kernel?.identity ?? identityOf(policy!),
    rootfs: images.squashfs.path,
    initramfs: images.initramfs.path,
    ...(variant ? { variant } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}
