import { existsSync } from 'node:fs';
import { manifestForImage } from '../../build/index.ts';
import { imageFormat } from '../../kconfig/kbuild.ts';
import { join, resolve } from 'node:path';
import { type KernelIdentity, bootGuest, buildRootfs, decideAccel, manifestIdentity, readHostFacts } from '../../guest/index.ts';
import { ARCHS, type Arch } from '../../policy/index.ts';
import { InputError, UsageError } from '../../util/errors.ts';
import { defineCommand } from '../command.ts';
import { BASE_ARGS, BOOT_ARGS, VARIANT_ARG, parseTimeout, rootfsOptions } from '../args.ts';
import { bootJson, describeBase, describeBoot } from '../report.ts';

/** The kernel `capsem-kernel build` left in out/<arch>. */
function builtKernel(arch: Arch, cwd: string): string {
  const manifest = join(cwd, 'out', arch, 'manifest.json');
  if (!existsSync(manifest)) {
    throw new UsageError(`boot: no --kernel and no ${join('out', arch, 'manifest.json')}: run \`capsem-kernel build --arch ${arch}\` (or \`up\`) first`);
  }
  return join(cwd, 'out', arch, imageFormat(arch));
}

/** Which kernel `image` is: the build manifest beside it (matching its sha256), or unidentified. */
async function identify(image: string, allowUnknown: boolean): Promise<KernelIdentity> {
  const found = await manifestForImage(image);
  if (found) return manifestIdentity(found.path, found.manifest);
  return { kind: 'unknown', why: `no build manifest beside ${image} names this image (sha256)`, allow: allowUnknown };
}

export default defineCommand({
  name: 'boot',
  summary: 'Boot a kernel + rootfs under QEMU and collect the doctor verdict',
  description: `
Boots the guest under QEMU with no network device, the squashfs root as a
read-only virtio-blk disk (/dev/vda) and the policy's command line; capsem-init
runs the doctor first and sends its verdict over a dedicated virtio-serial port
(never the console). Healthy means a well-formed verdict arrived and every check
of the policy passed. A VM that hangs past --timeout is killed and reported
unhealthy with the console's last lines.

The kernel defaults to the one \`capsem-kernel build\` left in out/<arch>, the
rootfs and initramfs to \`capsem-kernel rootfs\` (built if needed, cached).

The verdict is bound to this boot and this kernel: the host puts a fresh
capsem.nonce on the command line, and rejects a verdict whose nonce, command
line (/proc/cmdline vs the line passed) or kernel release differs from what it
booted. The release names the kernel's config (6.12.117-capsem-<digest>); it is
compared with the build manifest beside the image. An image no manifest names
is unidentified and the guest unhealthy, unless --allow-unknown-kernel.

--shell hands the console to you after the doctor (no timeout): look around,
then exit the shell to power off.

Exit codes: 0 healthy; 1 unhealthy; 2 usage, missing input, or --accel kvm
where KVM cannot run this guest; 130 interrupted (the VM is stopped).`,
  args: {
    arch: { type: 'string', description: 'Guest architecture', choices: ARCHS },
    kernel: { type: 'string', description: 'Kernel image (default: out/<arch>, from `build`)', valueHint: 'IMAGE' },
    rootfs: { type: 'string', description: 'Squashfs root image (default: built by `rootfs`)', valueHint: 'IMAGE' },
    initramfs: { type: 'string', description: 'Initramfs (default: built by `rootfs`)', valueHint: 'IMAGE' },
    ...BOOT_ARGS,
    ...BASE_ARGS,
    shell: { type: 'boolean', description: 'After the doctor, drop to a shell on the console (no timeout)' },
    'allow-unknown-kernel': {
      type: 'boolean',
      description: 'Accept a kernel no capsem build manifest names (your own kernel): a warning instead of unhealthy',
    },
    json: { type: 'boolean', description: 'Print the result as JSON on stdout (the text report goes to stderr)' },
    ...VARIANT_ARG,
  },
  examples: [
    'capsem-kernel boot --arch x86_64',
    'capsem-kernel boot --arch arm64 --kernel out/arm64/Image --json',
    'capsem-kernel boot --arch x86_64 --shell',
  ],
  async run({ args, io }) {
    const guest = rootfsOptions(args, io, 'boot');
    const { arch, variant } = guest;
    const timeoutMs = parseTimeout(args.timeout, 'boot');
    if (guest.base && (args.rootfs || args.initramfs)) throw new UsageError('boot: --base builds the images: --rootfs/--initramfs do not apply');
    if (args.shell && args.json) throw new UsageError('boot: --shell gives the console to you: --json does not apply');
    // Decided before anything is built: --accel kvm where KVM cannot run the guest fails at once.
    const accel = decideAccel(args.accel, arch, readHostFacts());
    const kernel = resolve(io.cwd, args.kernel ?? builtKernel(arch, io.cwd));
    if (!existsSync(kernel)) throw new InputError(kernel, 'kernel image not found');
    const identity = await identify(kernel, args['allow-unknown-kernel']);
    let rootfs = args.rootfs && resolve(io.cwd, args.rootfs);
    let initramfs = args.initramfs && resolve(io.cwd, args.initramfs);
    if (!rootfs || !initramfs) {
      const images = await buildRootfs(guest);
      io.stderr(describeBase(images));
      rootfs ??= images.squashfs.path;
      initramfs ??= images.initramfs.path;
    }
    if (args.shell) io.stderr(`boot: starting ${arch}; the console is yours after the doctor (exit the shell to power off)\n`);
    const result = await bootGuest({
      arch,
      kernel,
      identity,
      rootfs,
      initramfs,
      ...(variant ? { variant } : {}),
      accel,
      shell: args.shell,
      ...(timeoutMs ? { timeoutMs } : {}),
      signal: io.signal,
      ...(args.console && !args.shell ? { onConsole: (t: string) => io.stderr(t) } : {}),
    });
    // The report is the output; with --json the JSON is, and the text goes to stderr.
    (args.json ? io.stderr : io.stdout)(describeBoot(result));
    if (args.json) io.stdout(JSON.stringify(bootJson(result), null, 2) + '\n');
    return result.healthy ? 0 : 1;
  },
});
