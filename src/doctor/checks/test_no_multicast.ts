import { defineCheck, fail, pass } from '../define.ts';
import { listProcNet } from '../observe.ts';

// net/ipv4/igmp.c creates /proc/net/igmp only with IP_MULTICAST.
export default defineCheck({
  name: 'test_no_multicast',
  needs: ['procfs'],
  reasons: { 'igmp-present': '/proc/net/igmp exists: the kernel has IP multicast' },
  run(ctx) {
    const net = listProcNet(ctx);
    const evidence = [`/proc/net: ${net.length} entries, ${net.includes('igmp') ? 'has igmp' : 'no igmp'}`];
    return net.includes('igmp') ? fail('igmp-present', evidence) : pass(evidence);
  },
});
