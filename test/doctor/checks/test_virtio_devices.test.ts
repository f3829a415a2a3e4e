import check from '../../../src/doctor/checks/test_virtio_devices.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

const device = (n: number, id: string) => ({ [`/sys/bus/virtio/devices/virtio${n}/device`]: file(id + '\n') });

testCheck(check, {
  pass: [{ name: 'one virtio-blk, one virtio-serial (x86_64)' }, { name: 'the same on arm64', arch: 'arm64' }],
  fail: [
    { name: 'a virtio network card', patch: { files: device(2, '0x0001') }, reason: 'not-the-launcher-set', evidence: 'not allowed: 0x0001' },
    { name: 'a second virtio-blk disk', patch: { files: device(2, '0x0002') }, reason: 'not-the-launcher-set', evidence: 'different counts' },
    { name: 'a 9p host share', patch: { files: device(2, '0x0009') }, reason: 'not-the-launcher-set' },
    { name: 'the serial device missing', patch: { files: { '/sys/bus/virtio/devices/virtio1': null } }, reason: 'not-the-launcher-set', evidence: 'missing: 0x0003' },
  ],
  error: [
    { name: 'the bus unreadable', patch: { errors: { '/sys/bus/virtio/devices': 'EACCES' } }, reason: 'unreadable' },
    { name: 'a device id unreadable', patch: { errors: { '/sys/bus/virtio/devices/virtio0/device': 'EIO' } }, reason: 'unreadable' },
  ],
});
