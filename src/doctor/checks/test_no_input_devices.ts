import { defineCheck, fail, pass } from '../define.ts';
import { must } from '../observe.ts';

const DIR = '/sys/class/input';

/** Bits 0-31 of a sysfs capability bitmap ("<hex word> ... <hex word>", lowest word last). */
function lowWord(bitmap: string): bigint {
  const last = bitmap.trim().split(/\s+/).at(-1) ?? '0';
  return /^[0-9a-f]+$/i.test(last) ? BigInt('0x' + last) & 0xffffffffn : 0n;
}

// The same test udev's input_id uses: a keyboard has KEY_ESC..KEY_D (bits 1-31),
// a mouse has relative X and Y axes.
export default defineCheck({
  name: 'test_no_input_devices',
  needs: ['sysfs'],
  reasons: {
    'keyboard-present': 'an input device with a keyboard\'s keys is registered',
    'mouse-present': 'an input device with relative X/Y axes (a mouse) is registered',
  },
  run(ctx) {
    const listing = ctx.list(DIR);
    if (!listing.ok && listing.code === 'ENOENT') return pass([`${DIR}: absent (ENOENT): no input subsystem`]);
    const devices = must(listing, DIR).filter((n) => /^input\d+$/.test(n));
    const evidence = [`${DIR}: ${devices.length} input devices`];
    let reason: 'keyboard-present' | 'mouse-present' | undefined;
    for (const d of devices) {
      const read = (f: string) => must(ctx.text(`${DIR}/${d}/${f}`), `${DIR}/${d}/${f}`).trim();
      const name = read('name');
      const keyboard = (lowWord(read('capabilities/key')) & 0xfffffffen) === 0xfffffffen;
      const mouse = (lowWord(read('capabilities/rel')) & 3n) === 3n;
      evidence.push(`${d} ${JSON.stringify(name)}: ${keyboard ? 'keyboard' : mouse ? 'mouse' : 'neither keyboard nor mouse'}`);
      if (keyboard) reason ??= 'keyboard-present';
      else if (mouse) reason ??= 'mouse-present';
    }
    return reason ? fail(reason, evidence) : pass(evidence);
  },
});
