import { type Arch, GUEST, NONCE_PARAM, launcherCmdline } from '../policy/index.ts';
import type { Accel } from './accel.ts';

// QEMU command lines, per arch, as a pure function of the boot's inputs.
// Both arches: no firmware detour (-kernel boots the kernel directly), no
// default devices (-nodefaults, -no-user-config), no network device at all
// (-nic none), one read-only virtio-blk disk (the squashfs, /dev/vda), and the
// doctor's result port as its own virtio-serial port wired to a host socket,
// never the console. -no-reboot turns the guest's reboot into QEMU's exit:
// that is how the guest powers off.
// x86_64 uses `microvm` (virtio-mmio, no PCI, no ACPI, qboot instead of
// SeaBIOS); console ttyS0 on its one ISA serial port.
// arm64 uses `virt` with virtio-mmio devices; console hvc0 over virtio-console
// (messages before the virtio console starts are not on hvc0).

export interface QemuInputs {
  arch: Arch;
  accel: Accel;
  kernel: string;
  initramfs: string;
  rootfs: string;
  cmdline: string;
  /** Unix socket the host listens on; QEMU connects to it for the result port. */
  resultSocket: string;
  memoryMiB?: number;
  /** Test mutants only: more `-device` arguments (a device the launcher never attaches). */
  extraDevices?: readonly string[];
}

export const QEMU_BINARY: Record<Arch, string> = { x86_64: 'qemu-system-x86_64', arm64: 'qemu-system-aarch64' };

/**
 * 128 MiB: the guest runs one static doctor (a few MiB) from a squashfs; a
 * bigger RAM is only more for QEMU to set up and the kernel to initialise
 * (struct pages, the page allocator's shuffle) before the first line of init.
 */
const DEFAULT_MEMORY_MIB = 128;

function machine(arch: Arch, accel: Accel): string[] {
  if (arch === 'x86_64') {
    // acpi=off: no ACPI tables (our kernel has no ACPI), so QEMU lists the
    // virtio-mmio devices on the kernel command line and boots through qboot.
    // rtc=on: x86 Linux reads the CMOS clock at boot whatever its config; with
    // no RTC it polls a dead port, and the trivial-init boot took 3.3-3.9 s
    // instead of 1.8-1.9 s (TCG, measured back to back).
    const m = ['-M', 'microvm,acpi=off,x-option-roms=off,rtc=on,isa-serial=on'];
    return [...m, '-accel', accel, '-cpu', accel === 'kvm' ? 'host' : 'max'];
  }
  // pauth-impdef: a cheaper pointer-auth algorithm to emulate; the guest sees the same features.
  return accel === 'kvm'
    ? ['-M', 'virt,gic-version=host', '-accel', 'kvm', '-cpu', 'host']
    : ['-M', 'virt', '-accel', 'tcg', '-cpu', 'max,pauth-impdef=on'];
}

/** The console: a chardev named `con0` (stdio of the QEMU process) plus the device the guest sees it on. */
function console(arch: Arch): string[] {
  const chardev = ['-chardev', 'stdio,id=con0,signal=off'];
  if (arch === 'x86_64') return [...chardev, '-serial', 'chardev:con0'];
  return ['-serial', 'none', ...chardev, '-device', 'virtconsole,chardev=con0,bus=vser0.0'];
}

/** QEMU option values split on ',': a comma in a path is written twice. */
const optPath = (p: string) => p.replace(/,/g, ',,');

/** What every boot shares: machine, memory, no default devices, the kernel and its initramfs and command line. */
export type KernelBootInputs = Pick<QemuInputs, 'arch' | 'accel' | 'kernel' | 'initramfs' | 'cmdline' | 'memoryMiB'>;

export function kernelBootArgs(i: KernelBootInputs): string[] {
  return [
    ...machine(i.arch, i.accel),
    '-m', `${i.memoryMiB ?? DEFAULT_MEMORY_MIB}M`,
    '-smp', '1',
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    // QEMU runs untrusted guest code: its own seccomp filter denies it obsolete
    // syscalls, privilege changes, spawning processes and resource control.
    '-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
    '-nic', 'none',
    '-kernel', i.kernel,
    '-initrd', i.initramfs,
    '-append', i.cmdline,
  ];
}

/** The virtio-serial bus (`vser0`) and the console on it (arm64) or on the ISA serial port (x86_64). */
export function consoleArgs(arch: Arch): string[] {
  return ['-device', 'virtio-serial-device,id=vser0', ...console(arch)];
}

export function qemuArgs(i: QemuInputs): string[] {
  return [
    ...kernelBootArgs(i),
    '-drive', `if=none,id=rootfs,file=${optPath(i.rootfs)},format=raw,readonly=on`,
    '-device', 'virtio-blk-device,drive=rootfs',
    ...consoleArgs(i.arch),
    '-chardev', `socket,id=result,path=${optPath(i.resultSocket)}`,
    '-device', `virtserialport,chardev=result,name=${GUEST.resultPort},bus=vser0.0`,
    ...(i.extraDevices ?? []).flatMap((d) => ['-device', d]),
  ];
}

/**
 * The full boot command line: the policy's, then the launcher's fixed tokens
 * (the machine's, the runner's: src/policy/contract.ts says why each), then
 * this boot's nonce.
 */
export function bootCmdline(arch: Arch, policyCmdline: string, nonce: string): string {
  return [policyCmdline, ...launcherCmdline(arch), `${NONCE_PARAM}=${nonce}`].join(' ');
}
