import { defineCheck, fail, pass } from '../define.ts';
import { isAbsent, listProcNet } from '../observe.ts';

export default defineCheck({
  name: 'test_no_ipv6',
  needs: ['procfs'],
  reasons: { 'ipv6-present': '/proc/net/if_inet6 or /proc/sys/net/ipv6 exists: the kernel has IPv6' },
  run(ctx) {
    const net = listProcNet(ctx);
    const inet6 = net.includes('if_inet6');
    const sysctl = !isAbsent(ctx, '/proc/sys/net/ipv6');
    const evidence = [
      `/proc/net: ${net.length} entries, ${inet6 ? 'has if_inet6' : 'no if_inet6'}`,
      `/proc/sys/net/ipv6: ${sysctl ? 'present' : 'absent (ENOENT)'}`,
    ];
    return inet6 || sysctl ? fail('ipv6-present', evidence) : pass(evidence);
  },
});
