import { defineCommand, type IO } from '../command.ts';
import { renderFragment } from '../../kconfig/fragment.ts';
import {
  ARCHS,
  DEFAULT_KERNEL,
  KERNELS,
  TOOLCHAINS,
  type Arch,
  isKernelVersion,
  type KernelSeries,
  parseKernelSeries,
} from '../../policy/index.ts';
import { UsageError } from '../../util/errors.ts';

/** The target flags shared by defconfig, cmdline and audit. */
export const TARGET_ARGS = {
  arch: { type: 'string', description: 'Target architecture', choices: ARCHS },
  kernel: {
    type: 'string',
    description: `Kernel series: verified ${KERNELS.join(', ')}; another resolves names by the policy's version ranges, unverified`,
    valueHint: 'MAJOR.MINOR',
    default: DEFAULT_KERNEL,
  },
  toolchain: { type: 'string', description: 'Compiler the kernel is built with', choices: TOOLCHAINS, default: 'gcc' },
} as const;

export function requireArch(arch: Arch | undefined, verb: string): Arch {
  if (arch === undefined) throw new UsageError(`${verb}: --arch is required (${ARCHS.join(' or ')})`);
  return arch;
}

/**
 * --kernel: any MAJOR.MINOR. A series outside KERNELS still gets every rule's name
 * from its version range, but nobody checked those names against its Kconfig tree:
 * say so on stderr (the build's survival check still catches a wrong name).
 */
export function requireKernel(kernel: string, verb: string, io: IO): KernelSeries {
  const series = parseKernelSeries(kernel);
  if (series === undefined) throw new UsageError(`${verb}: --kernel ${kernel} is not a kernel series (MAJOR.MINOR, e.g. 6.6)`);
  if (!isKernelVersion(series)) {
    io.stderr(
      `${verb}: warning: Linux ${series} is not a verified version (${KERNELS.join(', ')}): the policy's symbol names ` +
        `for it come from their version ranges and were not checked against a ${series} Kconfig tree\n`,
    );
  }
  return series;
}

export default defineCommand({
  name: 'defconfig',
  summary: 'Print the kernel config fragment generated from the policy',
  description: `
The fragment is every enforced kconfig rule plus the required features, each line
under a comment naming its rule. Apply it to allnoconfig:
  make O=<dir> allnoconfig KCONFIG_ALLCONFIG=<fragment>`,
  args: TARGET_ARGS,
  examples: ['capsem-kernel defconfig --arch x86_64', 'capsem-kernel defconfig --arch arm64 --kernel 6.1 --toolchain clang'],
  run({ args, io }) {
    const arch = requireArch(args.arch, 'defconfig');
    io.stdout(renderFragment({ arch, kernel: requireKernel(args.kernel, 'defconfig', io), toolchain: args.toolchain }));
    return 0;
  },
});
