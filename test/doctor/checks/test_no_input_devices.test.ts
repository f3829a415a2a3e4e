import check from '../../../src/doctor/checks/test_no_input_devices.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

const input = (n: number, name: string, key: string, rel: string) => ({
  [`/sys/class/input/input${n}/name`]: file(name + '\n'),
  [`/sys/class/input/input${n}/capabilities/key`]: file(key + '\n'),
  [`/sys/class/input/input${n}/capabilities/rel`]: file(rel + '\n'),
});
// Bitmaps as sysfs prints them: 64-bit hex words, most significant first.
const ATKBD_KEYS = '402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe';
const POWER_BUTTON_KEYS = '10000000000000 0';

testCheck(check, {
  pass: [
    { name: 'no input subsystem' },
    { name: 'only a power button', patch: { files: input(0, 'Power Button', POWER_BUTTON_KEYS, '0') } },
    { name: 'event handlers and mice nodes are not devices', patch: { files: { '/sys/class/input/mice/dev': file('13:63\n') } } },
  ],
  fail: [
    { name: 'an AT keyboard', patch: { files: input(1, 'AT Translated Set 2 keyboard', ATKBD_KEYS, '0') }, reason: 'keyboard-present', evidence: 'keyboard' },
    { name: 'a PS/2 mouse', patch: { files: input(2, 'ImExPS/2 Generic Explorer Mouse', '1f0000 0 0 0 0', '143') }, reason: 'mouse-present' },
  ],
  error: [
    { name: '/sys/class/input unreadable', patch: { errors: { '/sys/class/input': 'EACCES' } }, reason: 'unreadable' },
    {
      name: 'a device without capabilities',
      patch: { files: { '/sys/class/input/input3/name': file('odd\n') } },
      reason: 'unreadable',
    },
  ],
});
