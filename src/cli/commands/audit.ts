import { readFileSync } from 'node:fs';
import { defineCommand } from '../command.ts';
import { auditConfig, FORMATS, FORMATTERS, type Format } from '../../audit/index.ts';
import { configArch, configKernel, configKernelSeries, readDotConfig } from '../../kconfig/dotconfig.ts';
import { type Arch, KERNELS, type KernelVersion, type Toolchain } from '../../policy/index.ts';
import { InputError, UsageError } from '../../util/errors.ts';
import { TARGET_ARGS } from './defconfig.ts';

export default defineCommand({
  name: 'audit',
  summary: 'Check a kernel .config and boot command line against the policy',
  description: `
Evaluates every rule that applies to the target against a final kernel .config
(plain, .gz or .xz) and, when given, a boot command line. The arch and kernel
series are read from the file's header when not given. Waived and not-applicable
rules are listed with their reason.
Exit 0 when every rule holds, 1 when any fails, 2 on bad input or usage.`,
  args: {
    config: { type: 'string', description: 'Kernel .config to audit', valueHint: 'FILE' },
    arch: { ...TARGET_ARGS.arch, description: 'Target architecture (default: from the file)' },
    kernel: { type: 'string', description: 'Kernel series (default: from the file)', choices: KERNELS },
    toolchain: TARGET_ARGS.toolchain,
    cmdline: { type: 'string', description: 'Boot command line to audit', valueHint: 'STRING' },
    'cmdline-file': { type: 'string', description: 'File holding the boot command line (e.g. /proc/cmdline)', valueHint: 'FILE' },
    format: { type: 'string', description: 'Output format', choices: FORMATS, default: 'text' },
  },
  examples: [
    'capsem-kernel audit --config /boot/config-$(uname -r) --cmdline-file /proc/cmdline',
    'capsem-kernel audit --config build/.config --arch arm64 --format sarif',
  ],
  run({ args, io }) {
    if (!args.config) throw new UsageError('audit: --config FILE is required');
    if (args.cmdline !== undefined && args['cmdline-file'] !== undefined) {
      throw new UsageError('audit: give --cmdline or --cmdline-file, not both');
    }
    const config = readDotConfig(args.config);
    const found = configArch(config);
    if (found === 'unknown') {
      throw new InputError(args.config, `config is for Linux/${config.header!.arch}, not a supported arch (x86_64, arm64)`);
    }
    if (args.arch !== undefined && found !== undefined && found !== args.arch) {
      throw new InputError(args.config, `config is for ${found}, not --arch ${args.arch}`);
    }
    const arch = args.arch ?? found;
    if (arch === undefined) throw new UsageError(`audit: ${args.config} does not say its arch; pass --arch`);
    let kernel = args.kernel as KernelVersion | undefined;
    if (kernel === undefined) {
      kernel = configKernel(config);
      if (kernel === undefined) {
        const series = configKernelSeries(config);
        throw new UsageError(
          series
            ? `audit: ${args.config} is Linux ${series}; the policy knows ${KERNELS.join(', ')}: pass --kernel to audit it as one of those`
            : `audit: ${args.config} does not say its kernel version; pass --kernel`,
        );
      }
    }
    const cmdline = args['cmdline-file'] !== undefined ? readCmdlineFile(args['cmdline-file']) : args.cmdline;
    const report = auditConfig({
      config,
      target: { arch: arch as Arch, kernel, toolchain: args.toolchain as Toolchain },
      ...(cmdline !== undefined ? { cmdline } : {}),
    });
    io.stdout(FORMATTERS[args.format as Format](report));
    return report.summary.fail > 0 ? 1 : 0;
  },
});

function readCmdlineFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, code === 'ENOENT' ? 'no such file' : `cannot read (${code})`);
  }
  if (text.includes('\0')) throw new InputError(path, 'binary file, not a command line');
  // /proc/cmdline ends with a newline; a command line is one line.
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length > 1) throw new InputError(path, 'a command line is one line', 2);
  return lines[0]!;
}
