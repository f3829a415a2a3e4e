import { type ViolationKind, cmdlineContract, contractViolations } from '../../policy/index.ts';
import { defineCheck, fail, pass, quote } from '../define.ts';
import { readCmdline } from '../observe.ts';

// The whole of /proc/cmdline against the boot contract: presence checks alone
// would pass `pti=on ... nopti`. The host separately compares /proc/cmdline
// with the line it passed (a built-in command line shows up there).
const REASON: Record<ViolationKind, 'token-outside-contract' | 'token-wrong-value' | 'token-missing'> = {
  outside: 'token-outside-contract',
  value: 'token-wrong-value',
  missing: 'token-missing',
};

export default defineCheck({
  name: 'test_kernel_cmdline_exact',
  needs: ['procfs'],
  reasons: {
    'token-outside-contract': 'a token (or an argument after --) that neither the policy nor the launcher puts there',
    'token-wrong-value': 'a contract token with another value, or repeated',
    'token-missing': 'a token the contract requires is not there',
  },
  run(ctx) {
    const { raw, parsed } = readCmdline(ctx);
    const contract = cmdlineContract(ctx.arch, ctx.target.kernel, { booted: true });
    const violations = contractViolations(parsed, contract);
    const evidence = [
      `/proc/cmdline: ${quote(raw, 600)}`,
      `contract: ${contract.length} tokens (${contract.filter((t) => t.origin === 'policy').length} policy, the rest the launcher's)`,
      ...violations.map((v) => v.text),
    ];
    const first = violations[0];
    return first ? fail(REASON[first.kind], evidence) : pass(evidence);
  },
});
