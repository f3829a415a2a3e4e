import { RULES, inRange } from '../../policy/index.ts';
import { defineCheck, fail, pass, quote } from '../define.ts';
import { must, policyCmdline } from '../observe.ts';

const split = (text: string) => text.split('\0').filter(Boolean);

// The kernel hands every parameter it does not know to init: key=value into
// its environment, a bare word into its argv (capsem-init passes its argv on
// through switch_root). A policy parameter there is one whose code is not in
// the kernel: /proc/cmdline still shows it, but nothing acted on it. Dotted
// parameters (page_alloc.shuffle, sysctl.*) are never handed on; other checks
// read their effect.
export default defineCheck({
  name: 'test_boot_params_consumed',
  needs: ['procfs'],
  reasons: { 'param-unconsumed': 'a policy boot parameter reached init: the kernel did not recognise it (its code is compiled out)' },
  run(ctx) {
    const unregistered = new Set(
      RULES.flatMap((r) => (r.kind === 'cmdline' && r.readUnregistered && inRange(r.readUnregistered, ctx.target.kernel) ? [r.param] : [])),
    );
    const params = [
      ...new Set(
        policyCmdline(ctx)
          .tokens.map((t) => t.key)
          .filter((k) => !k.includes('.') && !unregistered.has(k)),
      ),
    ];
    const env = split(must(ctx.text('/proc/1/environ'), '/proc/1/environ')).map((e) => e.split('=')[0]!);
    const argv = split(must(ctx.text('/proc/1/cmdline'), '/proc/1/cmdline'));
    const handedOn = params.filter((p) => env.includes(p) || argv.slice(1).includes(p));
    const evidence = [
      `/proc/1/environ keys: [${env.join(', ')}]; /proc/1/cmdline: ${quote(argv.join(' '))}`,
      `policy parameters the kernel must consume: ${params.join(', ')}`,
      ...(unregistered.size ? [`not counted (Linux ${ctx.target.kernel} reads them unregistered, so they also reach init): ${[...unregistered].join(', ')}`] : []),
      ...handedOn.map((p) => `${p}: handed to init, not consumed by the kernel`),
    ];
    return handedOn.length ? fail('param-unconsumed', evidence) : pass(evidence);
  },
});
