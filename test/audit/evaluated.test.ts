import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditConfig, FORMATS, FORMATTERS, type AuditReport } from '../../src/audit/index.ts';
import { parseDotConfig } from '../../src/kconfig/dotconfig.ts';
import { evaluatedInput } from '../helpers/evaluated.ts';
import { loadKconfigFile } from '../../src/kconfig/tree.ts';
import type { Target } from '../../src/policy/index.ts';

// The audit judges what kbuild builds from a file, not its text: a final config
// with its `# CONFIG_X is not set` lines deleted gives X its default.

const target: Target = { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' };
const tree = loadKconfigFile({ dir: join(import.meta.dirname, '../fixtures/kconfig-audit'), legacy: false });
const byRule = (r: AuditReport, id: string) => r.results.find((x) => x.rule === id)!;

// DEBUG_FS and KALLSYMS lines deleted; IO_URING forbidden and off; MODULES off.
const text = '# CONFIG_MODULES is not set\n# CONFIG_IO_URING is not set\n';
const config = parseDotConfig(text, 'trimmed.config');
const evaluated = auditConfig({ config, target, ...evaluatedInput(tree, config) });
const textOnly = auditConfig({ config, target, noTree: 'no tree in this test' });

describe('evaluated audit', () => {
  it('fails a forbidden option whose line was deleted, with the file\'s and kbuild\'s values and where kbuild\'s comes from', () => {
    expect(byRule(evaluated, 'no-debugfs')).toMatchObject({
      status: 'fail', symbol: 'DEBUG_FS', actual: 'y', file: 'absent', kbuild: 'default y (Kconfig:9)',
    });
    expect(byRule(evaluated, 'no-kallsyms')).toMatchObject({ status: 'fail', actual: 'y', file: 'absent' });
    expect(evaluated.basis).toEqual({ kind: 'evaluated', kernel: '6.12', differ: 2 });
  });

  it('passes what kbuild keeps off, and shows no second value where file and kbuild agree', () => {
    expect(byRule(evaluated, 'no-modules')).toMatchObject({ status: 'pass', actual: 'n' });
    expect(byRule(evaluated, 'no-modules').kbuild).toBeUndefined();
    expect(byRule(evaluated, 'no-io-uring')).toMatchObject({ status: 'pass', line: 2 });
  });

  it('kbuild, not the file, decides: a select overrides the file\'s n', () => {
    const c = parseDotConfig('CONFIG_IO_URING=y\n# CONFIG_KALLSYMS is not set\n', 'sel.config');
    const r = auditConfig({ config: c, target, ...evaluatedInput(tree, c) });
    expect(byRule(r, 'no-kallsyms')).toMatchObject({ status: 'fail', file: 'n', actual: 'y' });
    expect(byRule(r, 'no-kallsyms').kbuild).toMatch(/^forced by select from IO_URING \(Kconfig:17\)/);
  });

  it('every format shows both values', () => {
    for (const f of FORMATS) expect(FORMATTERS[f](evaluated), f).toMatch(/file: absent; kbuild: y, default y \(Kconfig:9\)|"kbuild": "default y \(Kconfig:9\)"/);
    expect(FORMATTERS.text(evaluated)).toMatch(/^Evaluated as kbuild builds it \(olddefconfig, Linux 6\.12 Kconfig tree\): 2 rules' options differ/m);
  });
});

describe('text-only audit', () => {
  it('a forbidden option with no line is unverified, with the reason, not pass', () => {
    expect(byRule(textOnly, 'no-debugfs')).toMatchObject({ status: 'unverified', symbol: 'DEBUG_FS' });
    expect(byRule(textOnly, 'no-debugfs').reason).toMatch(/^no line for CONFIG_DEBUG_FS: kbuild gives it its default.*no tree in this test/);
    expect(byRule(textOnly, 'no-io-uring').status).toBe('pass');
    expect(textOnly.basis).toEqual({ kind: 'text', why: 'no tree in this test' });
    expect(textOnly.summary.unverified).toBeGreaterThan(0);
  });

  it('unverified is its own status in every format', () => {
    expect(FORMATTERS.text(textOnly)).toMatch(/^ {2}UNVERIFIED no-debugfs +DEBUG_FS +expected n, actual n\n.*\n +unverified: no line for CONFIG_DEBUG_FS/m);
    expect(FORMATTERS.text(textOnly)).toMatch(/^Audited the text only \(no tree in this test\)/m);
    expect(FORMATTERS.text(textOnly)).toMatch(/\d+ unverified\n$/);
    const json = JSON.parse(FORMATTERS.json(textOnly));
    expect(json.results.find((r: { rule: string }) => r.rule === 'no-debugfs').status).toBe('unverified');
    const sarif = JSON.parse(FORMATTERS.sarif(textOnly)).runs[0];
    expect(sarif.results.find((r: { ruleId: string }) => r.ruleId === 'no-debugfs')).toMatchObject({
      kind: 'review', level: 'warning', properties: { status: 'unverified' },
    });
    expect(FORMATTERS.junit(textOnly)).toMatch(/name="no-debugfs">\n {6}<skipped message="UNVERIFIED: no line for CONFIG_DEBUG_FS/);
  });

  it('the verdict is UNVERIFIED when nothing fails but something could not be judged', () => {
    const quiet = { ...textOnly, summary: { ...textOnly.summary, fail: 0 } };
    expect(FORMATTERS.text(quiet)).toMatch(/^UNVERIFIED: /m);
  });
});
