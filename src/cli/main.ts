import { type ArgsSpec, type Command, type IO, parseCommandArgs, renderHelp } from './command.ts';
import { EXIT, UsageError, describeError, exitCodeFor } from '../util/errors.ts';

const lazy = (load: () => Promise<{ default: unknown }>) => async () => (await load()).default as Command<ArgsSpec>;

// The root maps verbs to lazy imports, so start-up loads only the command that runs.
// Sorted; each entry's file is src/cli/commands/<verb>.ts. The summary is repeated
// here so `--help` need not load every command; a test keeps the two equal.
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command<ArgsSpec>> }> = {
  audit: {
    summary: 'Check a kernel .config and boot command line against the policy',
    load: lazy(() => import('./commands/audit.ts')),
  },
  boot: {
    summary: 'Boot a kernel + rootfs under QEMU and collect the doctor verdict',
    load: lazy(() => import('./commands/boot.ts')),
  },
  build: {
    summary: 'Build the hardened kernel: allnoconfig + policy, survival check, compile (cached)',
    load: lazy(() => import('./commands/build.ts')),
  },
  cache: {
    summary: 'List the cache entries (kind, key, size, age, last use) or prune old ones',
    load: lazy(() => import('./commands/cache.ts')),
  },
  cmdline: {
    summary: 'Print the boot command line the policy requires',
    load: lazy(() => import('./commands/cmdline.ts')),
  },
  defconfig: {
    summary: 'Print the kernel config fragment generated from the policy',
    load: lazy(() => import('./commands/defconfig.ts')),
  },
  explain: {
    summary: 'Say why a Kconfig symbol has the value it has',
    load: lazy(() => import('./commands/explain.ts')),
  },
  generate: {
    summary: 'Regenerate the checked-in files derived from the policy (defconfigs, docs)',
    load: lazy(() => import('./commands/generate.ts')),
  },
  matrix: {
    summary: 'Print the build matrix for a CI engine: one job per arch x kernel x toolchain, with its build cache key',
    load: lazy(() => import('./commands/matrix.ts')),
  },
  policy: {
    summary: 'List the policy: rules, waivers, required features, doctor checks',
    load: lazy(() => import('./commands/policy.ts')),
  },
  prove: {
    summary: 'Run LKDTM attacks on the proving kernel: each claimed mitigation must block its attack, and fail to on the control',
    load: lazy(() => import('./commands/prove.ts')),
  },
  rootfs: {
    summary: 'Build the guest squashfs root and initramfs (cached)',
    load: lazy(() => import('./commands/rootfs.ts')),
  },
  up: {
    summary: 'The whole job: build, rootfs, boot, doctor, report (exit 0 only when healthy)',
    load: lazy(() => import('./commands/up.ts')),
  },
};

function rootHelp(): string {
  const lines = [
    'capsem-kernel: build, boot and prove a hardened minimal Linux guest kernel',
    '',
    'Usage: capsem-kernel <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`),
    '',
    'Run `capsem-kernel <command> --help` for a command\'s options.',
    'Exit codes: 0 ok, 1 a rule, check or build step failed, 2 usage/input/environment error, 130 interrupted (143 by SIGTERM), 70 a bug in capsem-kernel (with its stack).',
  ];
  return lines.join('\n') + '\n';
}

export function processIO(signal: AbortSignal): IO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
    signal,
  };
}

/** Runs one command line; returns the exit code. Never exits the process (tests call this). */
export async function run(argv: string[], io: IO): Promise<number> {
  try {
    const [verb, ...rest] = argv;
    if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
      io.stdout(rootHelp());
      return verb ? EXIT.ok : EXIT.usage;
    }
    if (verb === '--version') {
      io.stdout('capsem-kernel 0.1.0\n');
      return EXIT.ok;
    }
    const entry = COMMANDS[verb];
    if (!entry) throw new UsageError(`unknown command '${verb}'`);
    const cmd = await entry.load();
    const { args, positionals, help } = parseCommandArgs(cmd, rest);
    if (help) {
      io.stdout(renderHelp(cmd));
      return EXIT.ok;
    }
    return await cmd.run({ args, positionals, io });
  } catch (err) {
    io.stderr(describeError(err) + '\n');
    return exitCodeFor(err);
  }
}

/** What a shell reports for a process stopped by `sig`: 130 for SIGINT, 143 for SIGTERM. */
const interruptedCode = (sig: NodeJS.Signals) => (sig === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);

/** The process entry: wires Ctrl-C to an AbortSignal and exits with run()'s code. */
export async function main(argv = process.argv.slice(2)): Promise<never> {
  // `capsem-kernel audit ... | head` closes our stdout early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    throw e;
  });
  const ac = new AbortController();
  let interrupts = 0;
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    stoppedBy ??= sig;
    if (interrupts > 1) process.exit(interruptedCode(stoppedBy));
    process.stderr.write(`\ncapsem-kernel: ${sig}: stopping and cleaning up (again to force)\n`);
    ac.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ran = await run(argv, processIO(ac.signal));
  const code = ran === EXIT.interrupted && stoppedBy ? interruptedCode(stoppedBy) : ran;
  // Flush stdout before exiting (pipes are async in Node).
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  process.exit(code);
}
