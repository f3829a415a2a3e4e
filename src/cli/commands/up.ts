import { type Manifest, buildKernel, progressLog } from '../../build/index.ts';
import { dirname, join } from 'node:path';
import { type BootResult, type GuestImages, bootGuest, buildRootfs, decideAccel, manifestIdentity, readHostFacts } from '../../guest/index.ts';
import { type ProofRecord, describeProofRecord, readProofRecord } from '../../prove/index.ts';
import { ARCHS, DEFAULT_KERNEL } from '../../policy/index.ts';
import { defineCommand } from '../command.ts';
import { BASE_ARGS, BOOT_ARGS, TARGET_ARGS, parseBase, parseTimeout } from '../args.ts';
import { type BootJson, bootJson, describeBase, describeBoot, mib } from '../report.ts';

// The whole job with defaults: kernel (cached build), guest images (cached),
// boot, the doctor's verdict, one report. Exit 0 only when healthy.

/** `up --json`: what was built (kernel, rootfs, the last proof of that kernel) and the boot, in `boot --json`'s shape. */
export interface UpJson extends BootJson {
  kernel: {
    version: string;
    release: string;
    /** The config digest the release names, and how it is computed. */
    releaseDigest: Manifest['releaseDigest'];
    path: string;
    sizeBytes: number;
    sha256: string;
    enabledOptions: number;
    cached: boolean;
    audit: Manifest['audit'];
  };
  rootfs: { squashfs: ImageFile; initramfs: ImageFile; cached: boolean };
  /** The last `capsem-kernel prove` of this kernel (by image sha256), or null when it was never proven. */
  proof: ProofRecord | null;
}

type ImageFile = { path: string; sizeBytes: number; sha256: string };
const imageFile = (f: ImageFile): ImageFile => ({ path: f.path, sizeBytes: f.sizeBytes, sha256: f.sha256 });

export function upJson(kernel: Manifest, images: GuestImages, r: BootResult, proof?: ProofRecord): UpJson {
  return {
    ...bootJson(r),
    kernel: {
      version: kernel.kernelVersion,
      release: kernel.kernelRelease,
      releaseDigest: kernel.releaseDigest,
      path: kernel.image.path,
      sizeBytes: kernel.image.sizeBytes,
      sha256: kernel.image.sha256,
      enabledOptions: kernel.enabledOptions,
      cached: kernel.cached,
      audit: kernel.audit,
    },
    rootfs: { squashfs: imageFile(images.squashfs), initramfs: imageFile(images.initramfs), cached: images.cached },
    proof: proof ?? null,
  };
}

function describeKernel(k: Manifest, g: GuestImages, proof: ProofRecord | undefined): string {
  const a = k.audit;
  return [
    `kernel ${k.arch} Linux ${k.kernelRelease}${k.cached ? ' (cached build)' : ''}`,
    `  digest    ${k.releaseDigest.digest} (${k.releaseDigest.recipe})`,
    `  image     ${k.image.path}  ${k.image.sizeBytes} bytes (${mib(k.image.sizeBytes)})  ${k.enabledOptions} options =y`,
    `  audit     ${a.pass} pass, ${a.fail} fail, ${a.waived} waived, ${a.notApplicable} n/a`,
    `  rootfs    squashfs ${mib(g.squashfs.sizeBytes)}, initramfs ${mib(g.initramfs.sizeBytes)}${g.cached ? ' (cached)' : ''}`,
    `  proof     ${describeProofRecord(proof, k.arch)}`,
  ].join('\n') + '\n';
}

export default defineCommand({
  name: 'up',
  summary: 'The whole job: build, rootfs, boot, doctor, report (exit 0 only when healthy)',
  description: `
Builds the hardened kernel (cached), the guest squashfs root and initramfs
(cached), boots them under QEMU (KVM where it really works, else TCG, saying
why), and reports: kernel size and option count, the audit summary, every
doctor check, and the boot timings (QEMU start -> kernel -> init -> doctor ->
verdict). The first run compiles a kernel (minutes); later runs take seconds
plus the boot.

Exit codes: 0 healthy; 1 the build's policy checks failed or the guest is
unhealthy; 2 usage or environment (a missing package, --accel kvm where KVM
cannot run the guest); 130 interrupted.`,
  args: {
    arch: { type: 'string', description: 'Guest architecture', choices: ARCHS, default: 'x86_64' },
    toolchain: TARGET_ARGS.toolchain,
    ...BOOT_ARGS,
    ...BASE_ARGS,
    json: { type: 'boolean', description: "Print one JSON object on stdout: boot --json's fields plus kernel, rootfs and proof (the text report goes to stderr)" },
  },
  examples: ['capsem-kernel up', 'capsem-kernel up --arch arm64 --json', 'capsem-kernel up --toolchain clang'],
  async run({ args, io }) {
    const arch = args.arch;
    const timeoutMs = parseTimeout(args.timeout, 'up');
    const base = parseBase(args, io.cwd, 'up');
    // Decided before the build: --accel kvm where KVM cannot run the guest fails at once.
    const accel = decideAccel(args.accel, arch, readHostFacts());
    // `up` is a log, also on a terminal: a line per stage, and one at least every 30 s while it compiles.
    const progress = progressLog(io.stderr, 'up: kernel');
    const kernel = await buildKernel({
      arch,
      kernel: DEFAULT_KERNEL,
      toolchain: args.toolchain,
      signal: io.signal,
      onProgress: progress.onProgress,
      cwd: io.cwd,
      env: io.env,
    }).finally(progress.stop);
    const images = await buildRootfs({ arch, ...base, signal: io.signal, onProgress: (m) => io.stderr(`up: ${m}\n`) });
    io.stderr(describeBase(images));
    // The last LKDTM proof of this very image, if any (`prove` records it; proving again takes minutes).
    const proof = readProofRecord(kernel.image.sha256, io.env);
    (args.json ? io.stderr : io.stdout)(describeKernel(kernel, images, proof));
    io.stderr(`up: booting ${arch}\n`);
    const result = await bootGuest({
      arch,
      kernel: kernel.image.path,
      identity: manifestIdentity(join(dirname(kernel.image.path), 'manifest.json'), kernel),
      rootfs: images.squashfs.path,
      initramfs: images.initramfs.path,
      accel,
      ...(timeoutMs ? { timeoutMs } : {}),
      signal: io.signal,
      ...(args.console ? { onConsole: (t: string) => io.stderr(t) } : {}),
    });
    (args.json ? io.stderr : io.stdout)(describeBoot(result, true));
    if (args.json) io.stdout(JSON.stringify(upJson(kernel, images, result, proof), null, 2) + '\n');
    return result.healthy ? 0 : 1;
  },
});
