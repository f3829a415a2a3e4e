import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { renderFragment, requestedOptions } from '../../src/kconfig/fragment.ts';
import { cmdlineFor } from '../../src/policy/index.ts';
import { captureIO } from '../helpers/io.ts';

const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** A final .config as a compliant build writes it: header plus every requested option. */
function compliant(arch: 'x86_64' | 'arm64', kernel: '6.1' | '6.12' = '6.12'): string {
  const header = `#\n# Automatically generated file; DO NOT EDIT.\n# Linux/${arch === 'x86_64' ? 'x86' : 'arm64'} ${kernel}.0 Kernel Configuration\n#\n`;
  const archSym = arch === 'x86_64' ? 'CONFIG_X86_64=y\n' : 'CONFIG_ARM64=y\n';
  const lines = requestedOptions({ arch, kernel, toolchain: 'gcc' }).map((o) =>
    o.value === 'n' ? `# CONFIG_${o.symbol} is not set` : `CONFIG_${o.symbol}=${o.value}`,
  );
  return header + archSym + lines.join('\n') + '\n';
}

// An empty build cache: the audit finds no kernel tree and reads the text only, unless --source says otherwise.
const emptyCache = mkdtempSync(join(tmpdir(), 'audit-cache-'));

async function cli(...argv: string[]) {
  const io = captureIO();
  io.env = { CAPSEM_CACHE_DIR: emptyCache };
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('capsem-kernel audit', () => {
  const good = file('good.config', compliant('x86_64'));
  const goodArm = file('good-arm64.config', compliant('arm64', '6.1'));

  it('a compliant config and command line: exit 0, arch and kernel read from the file', async () => {
    const r = await cli('audit', '--config', good, '--cmdline', cmdlineFor('x86_64'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Linux 6\.12, x86_64, gcc/);
    expect(r.out).toMatch(/^PASS: /m);
  });

  it('reads arm64 6.1 from the header', async () => {
    const r = await cli('audit', '--config', goodArm, '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).target).toEqual({ arch: 'arm64', kernel: '6.1', toolchain: 'gcc' });
  });

  it('a violation: exit 1', async () => {
    const bad = file('modules.config', compliant('x86_64').replace('# CONFIG_MODULES is not set', 'CONFIG_MODULES=y'));
    const r = await cli('audit', '--config', bad, '--format', 'json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.results.find((x: { rule: string }) => x.rule === 'no-modules')).toMatchObject({ status: 'fail', actual: 'y', expected: 'n' });
    expect(json.summary.fail).toBe(1);
  });

  it('a command line violation from --cmdline-file: exit 1', async () => {
    const cmd = file('cmdline', `${cmdlineFor('x86_64')} init_on_alloc=0\n`);
    const r = await cli('audit', '--config', good, '--cmdline-file', cmd);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL +cmdline-init-on-alloc +init_on_alloc +expected init_on_alloc=1, actual init_on_alloc=0/);
  });

  it.each(['text', 'json', 'sarif', 'junit'])('--format %s', async (format) => {
    const r = await cli('audit', '--config', good, '--format', format);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(100);
  });

  it.skipIf(!existsSync('/usr/src/linux-config-6.12/config.amd64_none_cloud-amd64.xz'))('Debian\'s cloud kernel: exit 1', async () => {
    const r = await cli('audit', '--config', '/usr/src/linux-config-6.12/config.amd64_none_cloud-amd64.xz');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL +no-modules +MODULES +expected n, actual y/);
    expect(r.out).toMatch(/FAIL +no-ipv6 +IPV6 +expected n, actual y/);
  });

  // Bad input: one line on stderr, exit 2, the line number where it applies.
  it.each([
    ['empty file', () => ['--config', file('empty', '')], /empty\S*: empty file/],
    ['binary file', () => ['--config', file('bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]))], /: binary file/],
    ['another arch than --arch', () => ['--config', good, '--arch', 'arm64'], /config is for x86_64, not --arch arm64/],
    ['an unsupported arch in the file', () => ['--config', file('arm32', '# Linux/arm 6.12.0 Kernel Configuration\nCONFIG_ARM=y\n')], /config is for Linux\/arm, not a supported arch/],
    ['an unknown --arch', () => ['--config', good, '--arch', 'riscv'], /--arch must be one of x86_64, arm64 \(got 'riscv'\)/],
    ['a missing file', () => ['--config', join(dir, 'nope')], /nope: no such file/],
    ['no --config', () => [], /--config FILE is required/],
    ['a fragment without arch', () => ['--config', file('frag', 'CONFIG_MODULES=y\n')], /does not say its arch; pass --arch/],
    ['a --kernel that is not a series', () => ['--config', good, '--kernel', '6.x'], /--kernel 6\.x is not a kernel series/],
    ['--source and --text-only', () => ['--config', good, '--source', dir, '--text-only'], /--source or --text-only, not both/],
    ['a --source that is not a kernel tree', () => ['--config', good, '--source', dir], /not a kernel tree \(no Makefile\)/],
    ['both --cmdline and --cmdline-file', () => ['--config', good, '--cmdline', 'ro', '--cmdline-file', good], /not both/],
    ['a multi-line cmdline file', () => ['--config', good, '--cmdline-file', file('two', 'ro\nrw\n')], /two:2: a command line is one line/],
    ['a missing cmdline file', () => ['--config', good, '--cmdline-file', join(dir, 'none')], /none: no such file/],
    ['an unknown format', () => ['--config', good, '--format', 'xml'], /--format must be one of/],
  ])('%s: exit 2, one line', async (_name, argv, message) => {
    const r = await cli('audit', ...argv());
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\s+at /);
  });

  it('a fragment audits with --arch and --kernel', async () => {
    const frag = file('frag2', readFileSync('config/kernel/defconfig.arm64', 'utf8'));
    const r = await cli('audit', '--config', frag, '--arch', 'arm64', '--kernel', '6.12');
    expect(r.code).toBe(0);
  });
});

describe('capsem-kernel defconfig / cmdline / policy / generate', () => {
  it('defconfig prints the fragment', async () => {
    const r = await cli('defconfig', '--arch', 'x86_64');
    expect(r.code).toBe(0);
    // (that the checked-in config/kernel/defconfig.x86_64 is this text is test/policy/generated.test.ts's to say)
    expect(r.out).toBe(renderFragment({ arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' }));
  });

  it('defconfig for 6.1 uses the 6.1 names', async () => {
    const r = await cli('defconfig', '--arch', 'x86_64', '--kernel', '6.1');
    expect(r.out).toMatch(/^CONFIG_PAGE_TABLE_ISOLATION=y$/m);
    expect(r.out).not.toMatch(/MITIGATION_PAGE_TABLE_ISOLATION/);
  });

  it('defconfig without --arch is a usage error', async () => {
    const r = await cli('defconfig');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--arch is required/);
  });

  it.each([
    ['x86_64', /^console=ttyS0 root=\/dev\/vda ro init_on_alloc=1 slab_nomerge page_alloc\.shuffle=1 /],
    ['arm64', /^console=hvc0 root=\/dev\/vda ro init_on_alloc=1 slab_nomerge page_alloc\.shuffle=1 /],
  ])('cmdline --arch %s', async (arch, line) => {
    const r = await cli('cmdline', '--arch', arch);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(line);
    expect(r.out.trimEnd().split('\n')).toHaveLength(1);
  });

  it('policy lists rules, features and checks; --json parses', async () => {
    const r = await cli('policy');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no-modules/);
    expect(r.out).toMatch(/Required features/);
    expect(r.out).toMatch(/test_no_sshd/);
    const j = await cli('policy', '--json', '--arch', 'arm64');
    const parsed = JSON.parse(j.out);
    expect(parsed.rules.find((x: { id: string }) => x.id === 'arm64-bti-kernel').resolution.status).toBe('waived');
  });

  it('generate --check: 0 when in sync, 1 with one line per drifted file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gen-'));
    const r = await cli('generate', '--check', '--root', root);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^config\/kernel\/defconfig\.x86_64: missing/m);
    const w = await cli('generate', '--root', root);
    expect(w.code).toBe(0);
    expect((await cli('generate', '--check', '--root', root)).code).toBe(0);
    writeFileSync(join(root, 'docs/policy.md'), 'edited');
    const d = await cli('generate', '--check', '--root', root);
    expect(d.code).toBe(1);
    expect(d.err.trim()).toBe('docs/policy.md: out of date (run `capsem-kernel generate`)');
  });
});


describe('capsem-kernel audit reads what kbuild reads, for any version', () => {
  const good = file('any-good.config', compliant('x86_64'));

  it('lines conf reads differently or ignores are warnings with file:line; the audit still runs', async () => {
    const text = readFileSync(good, 'utf8') + 'what is this\nCONFIG_MODULES=yes\n';
    const r = await cli('audit', '--config', file('lenient.config', text), '--format', 'json');
    expect(r.code).toBe(1);
    const lines = text.split('\n').length - 1;
    expect(r.err).toMatch(new RegExp(`lenient\\.config:${lines - 1}: warning: unexpected data, ignored \\(as conf does\\): what is this`));
    expect(r.err).toMatch(new RegExp(`lenient\\.config:${lines}: warning: CONFIG_MODULES=yes read as y`));
    const report = JSON.parse(r.out);
    expect(report.readWarnings).toHaveLength(2);
    expect(report.results.find((x: { rule: string }) => x.rule === 'no-modules')).toMatchObject({ status: 'fail', actual: 'y', line: lines });
  });

  it('a 6.6 config audits through the version ranges, saying which names no verified tree backs', async () => {
    const k66 = file('k66.config', '# Linux/x86 6.6.1 Kernel Configuration\nCONFIG_X86_64=y\nCONFIG_RETPOLINE=y\n');
    const r = await cli('audit', '--config', k66);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\(Linux 6\.6, x86_64, gcc\)/);
    expect(r.out).toMatch(/^Audited the text only \(no Linux 6\.6 tree in the build cache; --source DIR\|TARBALL evaluates it as kbuild would\)/m);
    expect(r.out).toMatch(/^Linux 6\.6 is not a verified version \(nearest verified: 6\.1, 6\.12\); .*x86-retpoline/m);
    expect(r.out).toMatch(/PASS +x86-retpoline +RETPOLINE /);
  });

  it('--source DIR evaluates the file with that tree (olddefconfig) and judges the result', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'audit-tree-'));
    writeFileSync(join(tree, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 6\nSUBLEVEL = 1\n');
    writeFileSync(join(tree, 'Kconfig'), readFileSync(join(import.meta.dirname, '../fixtures/kconfig-audit/Kconfig')));
    // DEBUG_FS's "is not set" line deleted: kbuild gives it its default, y.
    const k66 = file('k66-trimmed.config', '# Linux/x86 6.6.1 Kernel Configuration\nCONFIG_X86_64=y\n# CONFIG_MODULES is not set\n');
    const r = await cli('audit', '--config', k66, '--source', tree);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Evaluated as kbuild builds it \(olddefconfig, Linux 6\.6\.1 Kconfig tree\)/m);
    expect(r.out).toMatch(/FAIL +no-debugfs +DEBUG_FS +expected n, actual y\n.*\n +file: absent; kbuild: y, default y \(Kconfig:9\)/);
    expect(r.out).toMatch(/^Linux 6\.6 is not a verified version \(nearest verified: 6\.1, 6\.12\); every rule's symbol name was looked up in this tree/m);
    expect(r.err).toMatch(/symbols unknown to Linux 6\.6\.1 x86_64 \(ignored, as conf does\)/);
  });

  it('a tree of another series than the file is refused', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'audit-tree-'));
    writeFileSync(join(tree, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\n');
    writeFileSync(join(tree, 'Kconfig'), 'config MODULES\n\tbool "m"\n');
    const r = await cli('audit', '--config', good, '--source', tree);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is Linux 6\.1, not 6\.12/);
  });
});
