import { GUEST } from '../../policy/index.ts';
import { compareSets, defineCheck, fail, pass, quote } from '../define.ts';
import { isAbsent, must } from '../observe.ts';

// An exact set, not a prefix blacklist: anything but the allowed NICs fails,
// and a listing that cannot be read is an error, never a pass. A name is not
// a kind: each allowed NIC must also be what it says (lo the loopback, dummy0
// a device with no hardware behind it and no peer, unlike a veth or tunnel).
export default defineCheck({
  name: 'test_no_real_nics',
  needs: ['sysfs'],
  reasons: {
    'unexpected-nics': `/sys/class/net is not exactly {${GUEST.allowedNics.join(', ')}}`,
    'wrong-nic-kind': 'an allowed name is another kind of NIC (wrong ARPHRD type, a backing device, or a peer link)',
  },
  run(ctx) {
    const { same, evidence } = compareSets('/sys/class/net', must(ctx.list('/sys/class/net'), '/sys/class/net'), GUEST.allowedNics);
    if (!same) return fail('unexpected-nics', evidence);
    let wrongKind = false;
    for (const nic of GUEST.allowedNics) {
      const dir = `/sys/class/net/${nic}`;
      const read = (f: string) => must(ctx.text(`${dir}/${f}`), `${dir}/${f}`).trim();
      const [type, ifindex, iflink] = [read('type'), read('ifindex'), read('iflink')];
      const hardware = !isAbsent(ctx, `${dir}/device`);
      evidence.push(
        `${dir}: type ${quote(type)} (policy: ${GUEST.nicTypes[nic]}), ${hardware ? 'has a device link' : 'no device link'}, ` +
          `iflink ${iflink} ${iflink === ifindex ? '=' : '!='} ifindex ${ifindex}`,
      );
      wrongKind ||= type !== String(GUEST.nicTypes[nic]) || hardware || iflink !== ifindex;
    }
    return wrongKind ? fail('wrong-nic-kind', evidence) : pass(evidence);
  },
});
