import { readFileSync } from 'node:fs';
import { defineCommand, type IO } from '../command.ts';
import { configAuditor, FLEET_FORMATTERS, fleetReport, FORMATS, FORMATTERS, kernelConfigsIn, type Format } from '../../audit/index.ts';
import { RELEASE_DIGEST_RECIPE, parseProcVersion, releaseDigest } from '../../kconfig/release.ts';
import { readConfigText } from '../../kconfig/dotconfig.ts';
import { DEFAULT_KERNEL } from '../../policy/index.ts';
import { InputError, UsageError } from '../../util/errors.ts';
import { cacheRoot } from '../../util/paths.ts';
import { TARGET_ARGS, parseKernelArg } from '../args.ts';

export default defineCommand({
  name: 'audit',
  summary: 'Check a kernel .config and boot command line against the policy',
  description: `
Evaluates every rule that applies to the target against a kernel .config
(plain, .gz or .xz) and, when given, a boot command line. The arch and kernel
series are read from the file's header when not given; any series works: the
policy's symbol names are keyed by version ranges, and the report says which
names no verified Kconfig tree backs for that series.

With the kernel tree for that series (the build cache's unpacked Debian tree,
or --source), the file is first evaluated as kbuild will build it (make
olddefconfig, by the same engine as explain) and the rules judge the result;
each rule whose option kbuild sets differently from the file shows both.
Without a tree (or with --text-only) the text is audited: an option the policy
forbids that has no line at all is UNVERIFIED, not PASS.
Lines kbuild's conf reads differently from how they look (CONFIG_X=yes is y)
or ignores are warnings on stderr with file:line.

A fleet: --config more than once, or a DIR (every kernel config directly in
it; other files are named on stderr and skipped), audits all of them in one
process, each kernel series' Kconfig tree parsed once. The text output is a
matrix, config x section -> pass/fail/waived/unverified counts; json, sarif
(one run, one result per config x rule, located at the config file and line)
and junit cover every config in one document.
Exit 0 when no rule fails (PASS or UNVERIFIED), 1 when any fails (in any
config), 2 on bad input or usage.`,
  args: {
    config: { type: 'string', multiple: true, description: 'Kernel .config to audit', valueHint: 'FILE' },
    arch: { ...TARGET_ARGS.arch, description: 'Target architecture (default: from the file)' },
    kernel: { type: 'string', description: 'Kernel series, e.g. 6.6 (default: from the file)', valueHint: 'MAJOR.MINOR' },
    source: { type: 'string', description: 'Kernel tree to evaluate with (default: the build cache\'s tree for the series)', valueHint: 'DIR|TARBALL' },
    sha256: { type: 'string', description: 'Expected sha256 of --source TARBALL (verified before unpacking)', valueHint: 'HEX' },
    'text-only': { type: 'boolean', description: 'Audit the file\'s text without evaluating it' },
    toolchain: TARGET_ARGS.toolchain,
    cmdline: { type: 'string', description: 'Boot command line to audit', valueHint: 'STRING' },
    'cmdline-file': { type: 'string', description: 'File holding the boot command line (e.g. /proc/cmdline)', valueHint: 'FILE' },
    format: { type: 'string', description: 'Output format', choices: FORMATS, default: 'text' },
    running: {
      type: 'boolean',
      description: 'Say which config the running kernel claims to be (its release names the config digest); with --config, whether it is that file',
    },
    'version-file': { type: 'string', description: 'The kernel version line for --running (default /proc/version)', valueHint: 'FILE' },
  },
  positionals: [{ name: 'DIR', description: 'Audit every kernel config in DIR (a fleet)' }],
  examples: [
    'capsem-kernel audit --config /boot/config-$(uname -r) --cmdline-file /proc/cmdline',
    'capsem-kernel audit --config build/.config --arch arm64 --format sarif',
    'capsem-kernel audit --config config-6.6 --source ~/src/linux-6.6',
    'capsem-kernel audit --config a.config --config b.config --format junit   # a fleet',
    'capsem-kernel audit /usr/src/linux-config-6.12   # every config in the directory',
    'capsem-kernel audit --running --config out/x86_64/config   # inside a guest, or with --version-file',
  ],
  async run({ args, positionals, io }) {
    const dir = positionals[0];
    if (args.running || args['version-file'] !== undefined) {
      if (args.config.length > 1 || dir !== undefined) throw new UsageError('audit --running: one --config at most, no DIR');
      return auditRunning({ versionFile: args['version-file'] ?? '/proc/version', config: args.config[0], format: args.format, io });
    }
    if (args.config.length === 0 && dir === undefined) throw new UsageError('audit: --config FILE is required (or a DIR of configs)');
    if (args.cmdline !== undefined && args['cmdline-file'] !== undefined) {
      throw new UsageError('audit: give --cmdline or --cmdline-file, not both');
    }
    if (args['text-only'] && args.source !== undefined) throw new UsageError('audit: give --source or --text-only, not both');
    const kernel = args.kernel !== undefined ? parseKernelArg(args.kernel, 'audit') : undefined;
    const cmdline = args['cmdline-file'] !== undefined ? readCmdlineFile(args['cmdline-file']) : args.cmdline;
    const auditor = configAuditor({
      ...(args.arch !== undefined ? { arch: args.arch } : {}),
      ...(kernel !== undefined ? { kernel } : {}),
      toolchain: args.toolchain,
      ...(cmdline !== undefined ? { cmdline } : {}),
      ...(args['text-only'] ? { textOnly: '--text-only' } : {}),
      ...(args.source !== undefined ? { srcDir: await sourceTree(args.source, args.sha256, io) } : {}),
      cacheRoot: cacheRoot(io.env),
      warn: (line) => io.stderr(`audit: ${line}\n`),
    });
    const format = args.format;
    if (dir === undefined && args.config.length === 1) {
      const report = await auditor.audit(args.config[0]!);
      io.stdout(FORMATTERS[format](report));
      return report.summary.fail > 0 ? 1 : 0;
    }
    const reports = [];
    for (const file of args.config) reports.push(await auditor.audit(file));
    if (dir !== undefined) {
      const found = kernelConfigsIn(dir);
      for (const s of found.skipped) io.stderr(`audit: ${s.file}: skipped: ${s.why}\n`);
      for (const config of found.configs) reports.push(await auditor.auditRead(config));
    }
    const fleet = fleetReport(reports);
    io.stdout(FLEET_FORMATTERS[format](fleet));
    return fleet.summary.failing > 0 ? 1 : 0;
  },
});

async function sourceTree(source: string, sha256: string | undefined, io: IO): Promise<string> {
  const { resolveSource } = await import('../../build/source.ts');
  const src = await resolveSource({
    // Only consulted without a source (Debian's tarball for that kernel).
    kernel: DEFAULT_KERNEL,
    source,
    ...(sha256 !== undefined ? { sha256 } : {}),
    cwd: io.cwd,
    cacheRoot: cacheRoot(io.env),
    say: (m) => io.stderr(`audit: ${m}\n`),
    signal: io.signal,
  });
  return src.tree;
}

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

/**
 * `audit --running`: which config the running kernel claims to be. Its release
 * names the digest of its final .config (src/kconfig/release.ts), so a fleet maps
 * each running guest to the config that was audited. With --config: exit 1 unless
 * the running kernel names exactly that file.
 */
function auditRunning(opts: { versionFile: string; config: string | undefined; format: Format; io: IO }): number {
  const { versionFile, io } = opts;
  if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`audit --running: --format ${opts.format} does not apply (text or json)`);
  let text: string;
  try {
    text = readFileSync(versionFile, 'utf8');
  } catch (e) {
    throw new InputError(versionFile, `cannot read (${(e as NodeJS.ErrnoException).code})`);
  }
  const running = parseProcVersion(text);
  if (!running) throw new InputError(versionFile, 'not a kernel version line ("Linux version <release> ...")', 1);
  let config: { file: string; digest: string; match: boolean } | undefined;
  if (opts.config !== undefined) {
    // The digest is over the .config's exact text; a compressed copy (/proc/config.gz, .xz) is read through.
    const digest = releaseDigest(readConfigText(opts.config));
    config = { file: opts.config, digest, match: digest === running.digest };
  }
  if (opts.format === 'json') {
    io.stdout(JSON.stringify({ release: running.release, digest: running.digest ?? null, recipe: RELEASE_DIGEST_RECIPE, ...(config ? { config } : {}) }, null, 2) + '\n');
  } else {
    io.stdout(
      running.digest
        ? `running kernel ${running.release}: names config digest ${running.digest} (${RELEASE_DIGEST_RECIPE})\n`
        : `running kernel ${running.release}: names no capsem config (not a capsem build, or built without its release digest)\n`,
    );
    if (config) io.stdout(`${config.file}: digest ${config.digest}: ${config.match ? 'the running kernel is this config' : 'the running kernel is NOT this config'}\n`);
  }
  if (config) return config.match ? 0 : 1;
  return running.digest ? 0 : 1;
}
