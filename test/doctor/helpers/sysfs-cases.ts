// Cases for checks that forbid names in a sysfs directory.
import type { CheckCases } from './check-tester.ts';
import { file } from './fake-guest.ts';

export function sysfsNameTests(dir: string, forbidden: readonly string[], witness: string): CheckCases {
  return {
    pass: [
      { name: `none of ${forbidden.join(', ')} in ${dir}` },
      { name: `${dir}: a name that merely contains ${forbidden[0]}`, patch: { files: { [`${dir}/x${forbidden[0]}x/uevent`]: file('') } } },
    ],
    fail: forbidden.map((n) => ({
      name: `${dir}/${n} registered`,
      patch: { files: { [`${dir}/${n}/uevent`]: file('') } },
      reason: 'present',
      evidence: `has ${n}`,
    })),
    error: [
      { name: `${dir} unreadable`, patch: { errors: { [dir]: 'EACCES' } }, reason: 'unreadable' },
      { name: `${dir} without ${witness}: not the kernel's listing`, patch: { files: { [`${dir}/${witness}`]: null } }, reason: 'implausible' },
    ],
  };
}
