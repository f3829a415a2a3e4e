import { describe, expect, it } from 'vitest';
import { bootCmdline, qemuArgs } from '../../src/guest/qemu.ts';
import { GUEST, cmdlineFor } from '../../src/policy/index.ts';

const inputs = {
  kernel: '/k/bzImage',
  initramfs: '/i/initramfs.cpio.gz',
  rootfs: '/r/rootfs.squashfs',
  cmdline: 'console=ttyS0 ro',
  resultSocket: '/tmp/x/result.sock',
};

/** The value after each occurrence of `flag`. */
const values = (argv: string[], flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []));

describe('qemuArgs', () => {
  for (const arch of ['x86_64', 'arm64'] as const) {
    const argv = qemuArgs({ ...inputs, arch, accel: 'tcg' });
    it(`${arch}: no default devices, no network, no reboot, direct kernel boot`, () => {
      for (const flag of ['-nodefaults', '-no-user-config', '-no-reboot']) expect(argv).toContain(flag);
      expect(values(argv, '-nic')).toEqual(['none']);
      expect(values(argv, '-kernel')).toEqual(['/k/bzImage']);
      expect(values(argv, '-initrd')).toEqual(['/i/initramfs.cpio.gz']);
      expect(values(argv, '-append')).toEqual(['console=ttyS0 ro']);
      expect(argv.some((a) => /virtio-net|e1000|-netdev/.test(a))).toBe(false);
      expect(values(argv, '-sandbox')).toEqual(['on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny']);
    });
    it(`${arch}: the rootfs is one read-only virtio-blk disk`, () => {
      expect(values(argv, '-drive')).toEqual(['if=none,id=rootfs,file=/r/rootfs.squashfs,format=raw,readonly=on']);
      expect(values(argv, '-device').filter((d) => d.startsWith('virtio-blk'))).toEqual(['virtio-blk-device,drive=rootfs']);
    });
    it(`${arch}: the result port is its own virtio-serial port on a socket, not the console`, () => {
      expect(values(argv, '-chardev')).toContain('socket,id=result,path=/tmp/x/result.sock');
      expect(values(argv, '-device')).toContain(`virtserialport,chardev=result,name=${GUEST.resultPort},bus=vser0.0`);
      expect(values(argv, '-chardev')).toContain('stdio,id=con0,signal=off');
    });
  }

  it('x86_64: microvm without ACPI, console on the ISA serial port', () => {
    const argv = qemuArgs({ ...inputs, arch: 'x86_64', accel: 'tcg' });
    expect(values(argv, '-M')[0]).toMatch(/^microvm,acpi=off,/);
    expect(values(argv, '-serial')).toEqual(['chardev:con0']);
    expect(values(argv, '-cpu')).toEqual(['max']);
  });

  it('arm64: virt, cheap pointer auth under TCG, console on virtio-console', () => {
    const argv = qemuArgs({ ...inputs, arch: 'arm64', accel: 'tcg' });
    expect(values(argv, '-M')).toEqual(['virt']);
    expect(values(argv, '-cpu')).toEqual(['max,pauth-impdef=on']);
    expect(values(argv, '-serial')).toEqual(['none']);
    expect(values(argv, '-device')).toContain('virtconsole,chardev=con0,bus=vser0.0');
  });

  it('KVM uses the host CPU', () => {
    expect(values(qemuArgs({ ...inputs, arch: 'x86_64', accel: 'kvm' }), '-cpu')).toEqual(['host']);
    expect(values(qemuArgs({ ...inputs, arch: 'arm64', accel: 'kvm' }), '-M')).toEqual(['virt,gic-version=host']);
  });

  it('doubles commas in paths (QEMU option syntax)', () => {
    const argv = qemuArgs({ ...inputs, arch: 'x86_64', accel: 'tcg', rootfs: '/a,b/r.img', resultSocket: '/s,1' });
    expect(values(argv, '-drive')[0]).toContain('file=/a,,b/r.img,format');
    expect(values(argv, '-chardev')).toContain('socket,id=result,path=/s,,1');
  });
});

describe('bootCmdline', () => {
  it('is the policy command line, then the launcher\'s fixed tokens, then the nonce', () => {
    for (const arch of ['x86_64', 'arm64'] as const) {
      const line = bootCmdline(arch, cmdlineFor(arch), 'ab'.repeat(16));
      expect(line.startsWith(cmdlineFor(arch) + ' ')).toBe(true);
      expect(line.slice(cmdlineFor(arch).length).trim().split(' ')).toEqual([
        ...(arch === 'x86_64' ? ['reboot=t'] : []),
        'panic=-1',
        `capsem.nonce=${'ab'.repeat(16)}`,
      ]);
    }
  });
});
