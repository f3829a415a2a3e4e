// Golden cases, one directory per behaviour (test/kconfig/cases/<behaviour>/):
//   Kconfig             a tiny tree showing the behaviour
//   input.config        the starting .config, run through olddefconfig
//   expected.config     the .config the kernel's own conf writes (expected-6.1.config when 6.1 differs)
//   expected-explain.txt  `explain` for the symbols it names (each block starts `CONFIG_X:`)
//   README              one line: the behaviour
// Our engine must produce expected.config under both kconfig generations; when a
// kernel tree is present the kernel's conf --olddefconfig must agree too.
// CAPSEM_UPDATE_GOLDEN=1 rewrites the expected files (from the kernel's conf, and
// our explain), for review.

import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDotConfig } from '../../src/kconfig/dotconfig.ts';
import { type Assignment, assignmentsOf, evaluate } from '../../src/kconfig/evaluate.ts';
import { renderExplanation } from '../../src/cli/explain-text.ts';
import { explainSymbol } from '../../src/kconfig/explain.ts';
import { loadKconfigFile } from '../../src/kconfig/tree.ts';
import { kernelConf, kernelSource, runConf } from './kernel-ref.ts';

const CASES = join(import.meta.dirname, 'cases');
const UPDATE = process.env.CAPSEM_UPDATE_GOLDEN === '1';
const SERIES = ['6.12', '6.1'] as const;
const REQUIRED = ['Kconfig', 'input.config', 'expected.config', 'expected-explain.txt', 'README'];

function assignments(text: string, file: string): Assignment[] {
  return /^(# )?CONFIG_/m.test(text) ? assignmentsOf(parseDotConfig(text, file)) : [];
}

/** The symbol lines of a .config, in order: what must match. */
function symbolLines(text: string): string[] {
  return text.split('\n').filter((l) => /^CONFIG_\w+=|^# CONFIG_\w+ is not set$/.test(l));
}

function ours(dir: string, series: (typeof SERIES)[number]) {
  const tree = loadKconfigFile({ dir, legacy: series === '6.1', shell: (cmd) => execSync(cmd, { encoding: 'utf8', shell: '/bin/sh' }) });
  const input = assignments(readFileSync(join(dir, 'input.config'), 'utf8'), join(dir, 'input.config'));
  return { tree, input, ev: evaluate(tree, { mode: 'olddefconfig', config: input }) };
}

function expectedFile(dir: string, series: string): string {
  const specific = join(dir, `expected-${series}.config`);
  return existsSync(specific) ? specific : join(dir, 'expected.config');
}

const cases = readdirSync(CASES).sort();

describe('kconfig golden cases', () => {
  it('every case directory is complete', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const incomplete = cases.flatMap((c) => REQUIRED.filter((f) => !existsSync(join(CASES, c, f))).map((f) => `${c}/${f}`));
    expect(incomplete).toEqual([]);
    const blankReadme = cases.filter((c) => readFileSync(join(CASES, c, 'README'), 'utf8').trim().split('\n').length !== 1);
    expect(blankReadme).toEqual([]);
  });

  for (const series of SERIES) {
    const src = kernelSource(series);
    describe(`Linux ${series} rules`, () => {
      let conf: string | undefined;
      beforeAll(async () => {
        if (src) conf = await kernelConf(src);
      }, 120_000);

      for (const c of cases) {
        const dir = join(CASES, c);
        it(`${c}: our olddefconfig writes the expected .config`, () => {
          const { ev } = ours(dir, series);
          const got = symbolLines(ev.toDotConfig());
          if (UPDATE && conf) {
            const kernel = runConf(conf, dir, '--olddefconfig', readFileSync(join(dir, 'input.config'), 'utf8'));
            const common = join(dir, 'expected.config');
            if (series === '6.12') writeFileSync(common, kernel);
            else if (symbolLines(kernel).join('\n') !== symbolLines(readFileSync(common, 'utf8')).join('\n')) {
              writeFileSync(join(dir, `expected-${series}.config`), kernel);
            }
          }
          expect(got).toEqual(symbolLines(readFileSync(expectedFile(dir, series), 'utf8')));
        });

        it.skipIf(!src)(`${c}: the kernel's conf --olddefconfig agrees`, () => {
          const kernel = runConf(conf!, dir, '--olddefconfig', readFileSync(join(dir, 'input.config'), 'utf8'));
          expect(symbolLines(kernel)).toEqual(symbolLines(readFileSync(expectedFile(dir, series), 'utf8')));
        });
      }
    });
  }

  for (const c of cases) {
    it(`${c}: explain output is the expected text`, () => {
      const dir = join(CASES, c);
      const file = join(dir, 'expected-explain.txt');
      const expected = readFileSync(file, 'utf8');
      const names = [...expected.matchAll(/^CONFIG_(\w+):/gm)].map((m) => m[1]!);
      expect(names.length).toBeGreaterThan(0);
      const { ev, input } = ours(dir, '6.12');
      const requested = new Map(input);
      const text = names.map((n) => renderExplanation(explainSymbol(ev, n, requested.get(n)))).join('\n');
      if (UPDATE) writeFileSync(file, text);
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});
