import { defineCheck, fail, pass, quote } from '../define.ts';
import { implausible, must } from '../observe.ts';

const DIR = '/sys/devices/system/cpu/vulnerabilities';

// Every entry is listed as evidence: it is the CPU's (or the emulated CPU's) own report.
export default defineCheck({
  name: 'test_cpu_vulnerabilities_mitigated',
  needs: ['sysfs'],
  reasons: { vulnerable: 'an entry of the CPU vulnerabilities directory starts with "Vulnerable"' },
  run(ctx) {
    const names = must(ctx.list(DIR), DIR);
    if (names.length === 0) implausible(`${DIR} is empty`);
    const evidence: string[] = [];
    let vulnerable = false;
    for (const n of names) {
      const v = must(ctx.text(`${DIR}/${n}`), `${DIR}/${n}`).trim();
      vulnerable ||= v.startsWith('Vulnerable');
      evidence.push(`${n}: ${quote(v)}`);
    }
    return vulnerable ? fail('vulnerable', evidence) : pass(evidence);
  },
});
