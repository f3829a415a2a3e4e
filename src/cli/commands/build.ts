import { dirname, join, relative } from 'node:path';
import { buildKernel, configureKernel, progressLog, type BuildProgress, type ConfigureResult, type Manifest } from '../../build/index.ts';
import { UsageError } from '../../util/errors.ts';
import { defineCommand, type IO } from '../command.ts';
import { TARGET_ARGS, requireArch, requireKernel } from '../args.ts';

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** TTY: one line redrawn in place. Otherwise a log: a line per stage, and at least one every 30 s while it runs. */
function progressPrinter(io: IO): { onProgress: (p: BuildProgress) => void; end: () => void } {
  if (!io.isTTY) {
    const log = progressLog(io.stderr, 'build');
    return { onProgress: log.onProgress, end: log.stop };
  }
  let drawn = false;
  return {
    onProgress(p) {
      const counts = p.done !== undefined ? ` ${p.done}/${p.total} objects (${Math.min(99, Math.floor((p.done / p.total!) * 100))}%)` : '';
      const line = `[${p.stage}]${counts} ${clock(p.elapsedSeconds)}  ${p.message}`;
      io.stderr(`\r\x1b[K${line.slice(0, 150)}`);
      drawn = true;
    },
    end() {
      if (drawn) io.stderr('\r\x1b[K');
      drawn = false;
    },
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function auditLine(a: Manifest['audit']): string {
  return `audit ${a.pass} pass, ${a.fail} fail, ${a.waived} waived, ${a.notApplicable} n/a`;
}

function unsafeBanner(reasons: string[]): string {
  return `UNSAFE TEST KERNEL (${reasons.join('; ')}): never ship or boot it outside tests\n`;
}

function describeBuild(m: Manifest, cwd: string): string {
  const rel = (p: string) => (p.startsWith(cwd) ? relative(cwd, p) : p);
  const how = m.cached ? 'from the build cache (no make)' : `in ${clock(m.buildSeconds)}`;
  const lines = [
    `built ${m.arch} Linux ${m.kernelRelease} (${m.toolchain.name} ${m.toolchain.version}) ${how}`,
    `  image     ${rel(m.image.path)}  ${m.image.sizeBytes} bytes (${mib(m.image.sizeBytes)})  sha256 ${m.image.sha256.slice(0, 16)}`,
    `  config    ${m.enabledOptions} options =y; survival ${m.survival.requested} requested, ${m.survival.casualties} casualties; ${auditLine(m.audit)}`,
  ];
  if (m.ccache && !m.cached) {
    const remote = m.ccache.remoteHits ? `, ${m.ccache.remoteHits} from remote storage` : '';
    lines.push(`  ccache    ${m.ccache.hits} hits${remote}, ${m.ccache.misses} misses (${(m.ccache.hitRate * 100).toFixed(1)}% hit rate)`);
  }
  lines.push(`  manifest  ${rel(join(dirname(m.image.path), 'manifest.json'))}`);
  return (m.unsafe ? unsafeBanner(m.unsafeReasons) : '') + lines.join('\n') + '\n';
}

function describeConfigure(r: ConfigureResult): string {
  return (
    (r.unsafe ? unsafeBanner(r.unsafeReasons) : '') +
    `configured ${r.arch} Linux ${r.kernelRelease}: ${r.enabledOptions} options =y; ` +
    `survival ${r.survival.requested} requested, 0 casualties; ${auditLine(r.audit)} (nothing compiled)\n` +
    `  config    ${r.configPath}\n`
  );
}

export default defineCommand({
  name: 'build',
  summary: 'Build the hardened kernel: allnoconfig + policy, survival check, compile (cached)',
  description: `
Configures the kernel out-of-tree from allnoconfig plus the policy's fragment,
runs olddefconfig, then checks that every requested line survived: a symbol
that does not exist, an unmet dependency or a value forced by a select stops
the build before compiling, one line per casualty. The audit must pass too.
Then make compiles bzImage (x86_64) or Image (arm64, cross), through ccache
when installed (every CCACHE_* setting is honoured: CCACHE_REMOTE_STORAGE
shares one compile cache across a team, see README "Team set-up";
CCACHE_DISABLE=1 turns it off). The manifest's ccache field gives this
build's hits, misses, hit rate and hits served by the remote storage.

The output dir gets the image, the final config, the fragment, make.log and
manifest.json. A build whose inputs did not change comes from the build cache
(under $CAPSEM_CACHE_DIR or ~/.cache/capsem-kernel/builds) in about a second.
For reproducible images KBUILD_BUILD_TIMESTAMP is the source's date and
KBUILD_BUILD_USER/HOST/VERSION are fixed (bench/reproducible.ts checks it).
A --source DIR is used in place and keyed by its file listing (path, size and
mtime of every file), so any edit rebuilds.

Exit codes: 0 built; 1 the policy did not hold (a casualty or an audit failure,
nothing compiled) or make failed (log tail printed); 2 bad usage or input
(e.g. --sha256 mismatch: nothing unpacked) or a missing package when not root;
130 interrupted (make stopped, nothing that looks finished left behind).

TEST-ONLY flags (--unsafe-*) exist for the doctor's mutation tests. THEY MAKE
AN UNSAFE KERNEL: the manifest says unsafe: true, the default output dir
becomes out/<arch>-unsafe, and such a kernel must never be shipped or booted
outside tests.`,
  args: {
    ...TARGET_ARGS,
    source: { type: 'string', description: 'Kernel tarball (needs --sha256) or tree (default: Debian linux-source-<kernel>)', valueHint: 'TARBALL|DIR' },
    sha256: { type: 'string', description: 'Expected sha256 of --source TARBALL, checked before unpacking', valueHint: 'HEX' },
    out: { type: 'string', description: 'Output dir (default: out/<arch>)', valueHint: 'DIR' },
    jobs: { type: 'string', short: 'j', description: 'Parallel make jobs (default: all cores)', valueHint: 'N' },
    force: { type: 'boolean', description: 'Rebuild even when the build cache has this exact build (incremental in its build tree)' },
    'configure-only': { type: 'boolean', description: 'Stop after the survival check and the audit (seconds, nothing compiled)' },
    json: { type: 'boolean', description: 'Print the manifest as JSON on stdout (human text stays on stderr)' },
    'unsafe-extra-fragment': {
      type: 'string',
      description: 'TEST ONLY, UNSAFE KERNEL: apply these config lines after the policy (survival-checked too)',
      valueHint: 'FILE',
    },
    'unsafe-allow-audit-failures': {
      type: 'boolean',
      description: 'TEST ONLY, UNSAFE KERNEL: build even when the audit fails (failures recorded in the manifest)',
    },
  },
  examples: [
    'capsem-kernel build --arch x86_64',
    'capsem-kernel build --arch arm64 --kernel 6.1 --configure-only',
    'capsem-kernel build --arch x86_64 --source linux-6.12.9.tar.xz --sha256 <hex> --out /tmp/k',
    'capsem-kernel build --arch x86_64 --json > manifest.json',
  ],
  async run({ args, io }) {
    const arch = requireArch(args.arch, 'build');
    let jobs: number | undefined;
    if (args.jobs !== undefined) {
      jobs = Number(args.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`build: --jobs must be a positive integer (got '${args.jobs}')`);
    }
    if (args.sha256 !== undefined && args.source === undefined) {
      throw new UsageError('build: --sha256 goes with --source TARBALL');
    }
    if (args['configure-only'] && (args.force || args.out !== undefined || jobs !== undefined)) {
      throw new UsageError('build: --configure-only compiles nothing: --force, --out and --jobs do not apply');
    }
    const progress = progressPrinter(io);
    const common = {
      arch,
      kernel: requireKernel(args.kernel, 'build', io),
      toolchain: args.toolchain,
      ...(args.source !== undefined ? { source: args.source } : {}),
      ...(args.sha256 !== undefined ? { sha256: args.sha256 } : {}),
      ...(args['unsafe-extra-fragment'] !== undefined ? { extraFragment: args['unsafe-extra-fragment'] } : {}),
      allowAuditFailures: args['unsafe-allow-audit-failures'],
      signal: io.signal,
      onProgress: progress.onProgress,
      cwd: io.cwd,
      env: io.env,
    };
    try {
      if (args['configure-only']) {
        const r = await configureKernel(common);
        progress.end();
        io.stderr(describeConfigure(r));
        if (args.json) io.stdout(JSON.stringify(r, null, 2) + '\n');
        return 0;
      }
      const m = await buildKernel({
        ...common,
        ...(args.out !== undefined ? { outDir: args.out } : {}),
        ...(jobs !== undefined ? { jobs } : {}),
        force: args.force,
      });
      progress.end();
      io.stderr(describeBuild(m, io.cwd));
      if (args.json) io.stdout(JSON.stringify(m, null, 2) + '\n');
      return 0;
    } finally {
      progress.end();
    }
  },
});
