// The fuzz properties of test/fuzz, run longer and with a fresh seed (printed,
// so a failure reproduces with --seed). Prints JSON: per property its runs,
// how many inputs gave a value and how many our input error, and whether it held.
//
//   npx vite-node bench/fuzz.ts [--runs 20000] [--seed N]
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { allProperties, type Outcome } from '../test/fuzz/properties.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20000' }, seed: { type: 'string' } } });
const runs = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: bench/fuzz.ts [--runs N] [--seed N]\n');
  process.exit(2);
}

const counts: Record<Outcome, number> = { value: 0, 'input-error': 0 };
const results = [];
let failed = false;
for (const [group, make] of Object.entries(allProperties((o) => {
  counts[o]++;
}))) {
  // The Kconfig property parses a real file per run: a tenth of the runs keeps it in proportion.
  const numRuns = group === 'kconfig' ? Math.ceil(runs / 10) : runs;
  for (const { name, property, maxRuns } of make()) {
    counts.value = counts['input-error'] = 0;
    const start = Date.now();
    const r = fc.check(property as fc.IProperty<unknown[]>, { seed, numRuns: Math.min(numRuns, maxRuns ?? numRuns) });
    failed ||= r.failed;
    results.push({
      property: name,
      runs: r.numRuns,
      values: counts.value,
      inputErrors: counts['input-error'],
      held: !r.failed,
      seconds: (Date.now() - start) / 1000,
      ...(r.failed ? { counterexample: JSON.stringify(r.counterexample).slice(0, 500), error: String(r.errorInstance).slice(0, 300) } : {}),
    });
  }
}
process.stdout.write(JSON.stringify({ seed, runs, results }, null, 2) + '\n');
process.exit(failed ? 1 : 0);
