import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configAuditor } from '../../src/audit/index.ts';
import { run } from '../../src/cli/main.ts';
import { requestedOptions } from '../../src/kconfig/fragment.ts';
import { RULES } from '../../src/policy/index.ts';
import { cacheRoot } from '../../src/util/paths.ts';
import { captureIO } from '../helpers/io.ts';

// Many configs in one process: a matrix in text, one document in json/sarif/junit,
// exit 1 when any config fails, each series' Kconfig tree parsed once.

const REAL = join(import.meta.dirname, '../fixtures/real-configs');
const DEBIAN = ['config.amd64_none_amd64.xz', 'config.amd64_none_cloud-amd64.xz'].map((f) => join('/usr/src/linux-config-6.12', f));
const dir = mkdtempSync(join(tmpdir(), 'fleet-'));
// An empty build cache: text-only audits (fast), unless a test points at the real one.
const emptyCache = mkdtempSync(join(tmpdir(), 'fleet-cache-'));

function compliant(name: string): string {
  const lines = requestedOptions({ arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' }).map((o) =>
    o.value === 'n' ? `# CONFIG_${o.symbol} is not set` : `CONFIG_${o.symbol}=${o.value}`,
  );
  const p = join(dir, name);
  writeFileSync(p, `#\n# Linux/x86 6.12.0 Kernel Configuration\n#\nCONFIG_X86_64=y\n${lines.join('\n')}\n`);
  return p;
}

async function cli(...argv: string[]) {
  const io = captureIO();
  io.env = { CAPSEM_CACHE_DIR: emptyCache };
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

const FIXTURES = [
  'firecracker-microvm-kernel-ci-aarch64-6.1.config',
  'firecracker-microvm-kernel-ci-x86_64-5.10.config',
  'firecracker-microvm-kernel-ci-x86_64-6.1.config',
  'libkrunfw-config_x86_64',
];

describe('audit DIR / --config many times', () => {
  it('a directory: every config in it, a row per config and a column per judged section; other files named and skipped; exit 1', async () => {
    const r = await cli('audit', REAL);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/README\.md: skipped: .*not a kernel/);
    expect(r.out).toMatch(/^Fleet audit of 4 configs/);
    const header = r.out.split('\n').find((l) => l.startsWith('config '))!;
    expect(header.split(/\s+/)).toEqual(['config', 'target', 'judged', 'disabled', 'memory', 'arch', 'beyond', 'cmdline', 'total', 'verdict']);
    for (const f of FIXTURES) expect(r.out).toMatch(new RegExp(`^${f.replace(/\./g, '\\.')} +\\S+ \\S+ gcc +text +.* FAIL$`, 'm'));
    expect(r.out).toMatch(/^FAIL: 4 configs, 4 fail, 0 unverified, 0 pass$/m);
  });

  it('all compliant: exit 0, PASS', async () => {
    const r = await cli('audit', '--config', compliant('a.config'), '--config', compliant('b.config'), '--text-only');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS: 2 configs, 0 fail, 0 unverified, 2 pass$/m);
  });

  it('one failing config among passing ones: exit 1', async () => {
    const r = await cli('audit', '--config', compliant('c.config'), '--config', join(REAL, FIXTURES[0]!), '--format', 'json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.summary).toEqual({ configs: 2, failing: 1, unverified: 0, passing: 1 });
    expect(json.reports).toHaveLength(2);
    expect(json.matrix[0].total).toMatchObject({ fail: 0 });
    expect(json.matrix[1].sections['disabled-subsystems'].fail).toBeGreaterThan(0);
  });

  it('sarif: one run, one result per config x rule, each at its config file and line', async () => {
    const files = FIXTURES.map((f) => join(REAL, f));
    const [r, json] = await Promise.all([
      cli('audit', ...files.flatMap((f) => ['--config', f]), '--format', 'sarif'),
      cli('audit', ...files.flatMap((f) => ['--config', f]), '--format', 'json'),
    ]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.out);
    expect(log.runs).toHaveLength(1);
    const [run1] = log.runs;
    expect(run1.tool.driver.rules).toHaveLength(RULES.length);
    expect(run1.results).toHaveLength(files.length * RULES.length);
    expect(run1.artifacts.map((a: { location: { uri: string } }) => a.location.uri)).toEqual(files);
    const reports = JSON.parse(json.out).reports as { file: string; results: { rule: string; line?: number; status: string }[] }[];
    const expected = reports.flatMap((rep) => rep.results.map((x) => ({ uri: rep.file, rule: x.rule, line: x.line, status: x.status })));
    const got = run1.results.map((x: { ruleId: string; ruleIndex: number; properties: { status: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }) => {
      expect(run1.tool.driver.rules[x.ruleIndex].id).toBe(x.ruleId);
      const at = x.locations[0]!.physicalLocation;
      return { uri: at.artifactLocation.uri, rule: x.ruleId, line: at.region?.startLine, status: x.properties.status };
    });
    expect(got).toEqual(expected);
    expect(got.some((x: { line?: number }) => x.line !== undefined)).toBe(true);
  });

  it('junit: a testsuite per config x section, totals over all configs', async () => {
    const files = [join(REAL, FIXTURES[1]!), join(REAL, FIXTURES[3]!)];
    const r = await cli('audit', ...files.flatMap((f) => ['--config', f]), '--format', 'junit');
    expect(r.code).toBe(1);
    const suites = [...r.out.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]!);
    for (const f of files) expect(suites).toContain(`${f}: Disabled subsystems`);
    const top = /<testsuites name="capsem-kernel audit" tests="(\d+)" failures="(\d+)"/.exec(r.out)!;
    expect(Number(top[1])).toBe(2 * RULES.length);
    expect(Number(top[2])).toBe((r.out.match(/<failure /g) ?? []).length);
  });

  it('bad input in a fleet: exit 2, one line naming the file', async () => {
    const r = await cli('audit', '--config', compliant('d.config'), '--config', join(dir, 'missing.config'));
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([`capsem-kernel: ${join(dir, 'missing.config')}: no such file`]);
  });

  it('a directory with no config: exit 2', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    copyFileSync(join(REAL, 'README.md'), join(empty, 'README.md'));
    const r = await cli('audit', empty);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds no kernel config/);
  });

  it('one --config keeps the single-config report', async () => {
    const r = await cli('audit', '--config', compliant('e.config'), '--text-only');
    expect(r.out).toMatch(/^Audit of .*e\.config against the capsem hardening policy/);
    expect(r.out).not.toMatch(/Fleet/);
  });
});

describe('configAuditor', () => {
  it('evaluates each config with its series\' tree, parsing each (tree, arch) once', async () => {
    const auditor = configAuditor({ toolchain: 'gcc', cacheRoot: cacheRoot(), warn: () => {} });
    const reports = [];
    for (const f of [...DEBIAN, join(REAL, FIXTURES[2]!), join(REAL, FIXTURES[0]!)]) reports.push(await auditor.audit(f));
    expect(reports.map((r) => r.basis.kind)).toEqual(['evaluated', 'evaluated', 'evaluated', 'evaluated']);
    // 6.12 x86_64 (two Debian configs), 6.1 x86_64, 6.1 arm64.
    expect(auditor.treesLoaded).toBe(3);
  }, 300_000); // three full Kconfig trees: a cold cache parses them and runs their compiler probes
});
