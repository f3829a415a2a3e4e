import { GUEST } from '../../policy/index.ts';
import { compareSets, defineCheck, fail, pass } from '../define.ts';
import { must } from '../observe.ts';

const DIR = '/sys/bus/virtio/devices';

// Each virtio device as its device id, so a second disk or a network card
// (id 1) shows up whatever the driver names it; the launcher's set per arch.
export default defineCheck({
  name: 'test_virtio_devices',
  needs: ['sysfs'],
  reasons: { 'not-the-launcher-set': `the device ids under ${DIR} are not exactly the launcher's set` },
  run(ctx) {
    const ids = must(ctx.list(DIR), DIR).map((d) => {
      const id = must(ctx.text(`${DIR}/${d}/device`), `${DIR}/${d}/device`).trim();
      return `${id} (${d})`;
    });
    const bare = ids.map((i) => i.split(' ')[0]!).sort();
    const expected = [...GUEST.virtioDevices[ctx.arch]].sort();
    const same = bare.length === expected.length && bare.every((id, i) => id === expected[i]);
    const evidence = [`${DIR}: [${ids.join(', ')}] (policy for ${ctx.arch}: exactly ${expected.join(', ')})`];
    if (!same) evidence.push(compareSets('device ids', bare, expected).evidence.slice(1).join('; ') || 'same ids, different counts');
    return same ? pass(evidence) : fail('not-the-launcher-set', evidence);
  },
});
