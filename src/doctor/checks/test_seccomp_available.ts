import { defineCheck, fail, pass } from '../define.ts';
import { must } from '../observe.ts';

// fs/proc/array.c prints Seccomp: with SECCOMP and Seccomp_filters: with SECCOMP_FILTER.
export default defineCheck({
  name: 'test_seccomp_available',
  needs: ['procfs'],
  reasons: {
    'no-seccomp': '/proc/self/status has no Seccomp: line (SECCOMP=n)',
    'no-seccomp-filter': '/proc/self/status has no Seccomp_filters: line (SECCOMP_FILTER=n)',
  },
  run(ctx) {
    const status = must(ctx.text('/proc/self/status'), '/proc/self/status');
    const line = (key: string) => new RegExp(`^${key}:\\s+(\\d+)$`, 'm').exec(status)?.[0].replace(/\s+/, ' ');
    const seccomp = line('Seccomp');
    const filters = line('Seccomp_filters');
    const evidence = [`/proc/self/status: ${seccomp ?? 'no Seccomp: line'}; ${filters ?? 'no Seccomp_filters: line'}`];
    if (!seccomp) return fail('no-seccomp', evidence);
    if (!filters) return fail('no-seccomp-filter', evidence);
    return pass(evidence);
  },
});
