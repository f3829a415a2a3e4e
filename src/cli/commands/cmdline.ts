import { defineCommand } from '../command.ts';
import { cmdlineFor } from '../../policy/index.ts';
import { requireArch, requireKernel, TARGET_ARGS } from '../args.ts';

export default defineCommand({
  name: 'cmdline',
  summary: 'Print the boot command line the policy requires',
  description: `
Every enforced cmdline rule in policy order: the console for the arch, the root
device, then the hardening parameters. \`capsem-kernel policy\` says why each is there.`,
  args: { arch: TARGET_ARGS.arch, kernel: TARGET_ARGS.kernel },
  examples: ['capsem-kernel cmdline --arch arm64'],
  run({ args, io }) {
    io.stdout(cmdlineFor(requireArch(args.arch, 'cmdline'), requireKernel(args.kernel, 'cmdline', io)) + '\n');
    return 0;
  },
});
