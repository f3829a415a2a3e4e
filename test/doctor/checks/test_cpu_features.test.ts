import check from '../../../src/doctor/checks/test_cpu_features.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';
import { BOOT_LOG_LINES, CPU_LOG_LINES, cpuinfo, kernelLog } from '../helpers/healthy-guest.ts';

const MELTDOWN = '/sys/devices/system/cpu/vulnerabilities/meltdown';
const logWithout = (arch: 'x86_64' | 'arm64', prefix: string) => ({
  '/dev/kmsg': kernelLog(arch, [...BOOT_LOG_LINES, ...CPU_LOG_LINES[arch].filter((l) => !l.startsWith(prefix))]),
});

testCheck(check, {
  pass: [
    { name: 'x86_64: SMEP, SMAP, UMIP and PTI on' },
    { name: 'arm64: PAN, BTI and pointer authentication on', arch: 'arm64' },
    // CPUID clears the bit: the kernel has nothing to turn on, and the evidence says so.
    { name: 'x86_64: a CPU without SMAP or UMIP', patch: { cpu: { smap: false, umip: false }, files: { '/proc/cpuinfo': cpuinfo('x86_64', ['smap', 'umip']), ...logWithout('x86_64', 'x86/cpu: User Mode') } } },
    { name: 'arm64: a CPU without pointer authentication', arch: 'arm64', patch: { cpu: { pauth: false, 'pauth-user': false }, files: { '/proc/cpuinfo': cpuinfo('arm64', ['paca', 'pacg']) } } },
    { name: 'x86_64: a CPU Meltdown does not affect (PTI forced on anyway)', patch: { files: { [MELTDOWN]: file('Not affected\n') } } },
  ],
  fail: [
    // clearcpuid=smap: CPUID still offers it, the kernel cleared the flag and never set CR4.SMAP.
    { name: 'x86_64: SMAP offered, cleared by the kernel', patch: { files: { '/proc/cpuinfo': cpuinfo('x86_64', ['smap']) } }, reason: 'feature-off', evidence: 'SMAP: the CPU offers it (probe cpu: smap 1); /proc/cpuinfo lacks smap: OFF' },
    { name: 'x86_64: SMEP offered, cleared by the kernel', patch: { files: { '/proc/cpuinfo': cpuinfo('x86_64', ['smep']) } }, reason: 'feature-off', evidence: 'SMEP' },
    { name: 'x86_64: UMIP offered, not activated (X86_UMIP=n)', patch: { files: logWithout('x86_64', 'x86/cpu: User Mode') }, reason: 'feature-off', evidence: 'no boot line "x86/cpu: User Mode Instruction Prevention (UMIP) activated"' },
    { name: 'x86_64: pti=off (no pti flag, no boot line)', patch: { files: { '/proc/cpuinfo': cpuinfo('x86_64', ['pti']), ...logWithout('x86_64', 'Kernel/User') } }, reason: 'feature-off', evidence: '/proc/cpuinfo lacks pti' },
    { name: 'x86_64: meltdown Vulnerable', patch: { files: { [MELTDOWN]: file('Vulnerable\n') } }, reason: 'feature-off', evidence: `${MELTDOWN}: "Vulnerable"` },
    { name: 'arm64: arm64.nopauth (no paca, nothing signed)', arch: 'arm64', patch: { cpu: { 'pauth-user': false }, files: { '/proc/cpuinfo': cpuinfo('arm64', ['paca', 'pacg']), ...logWithout('arm64', 'CPU features: detected: Address') } }, reason: 'feature-off', evidence: 'did not sign' },
    { name: 'arm64: arm64.nobti (no bti hwcap, no detected line)', arch: 'arm64', patch: { files: { '/proc/cpuinfo': cpuinfo('arm64', ['bti']), ...logWithout('arm64', 'CPU features: detected: Branch') } }, reason: 'feature-off', evidence: 'BTI' },
    { name: 'arm64: PAN not detected (ARM64_PAN=n)', arch: 'arm64', patch: { files: logWithout('arm64', 'CPU features: detected: Privileged') }, reason: 'feature-off', evidence: 'no boot line "CPU features: detected: Privileged Access Never"' },
  ],
  error: [
    { name: '/proc/cpuinfo unreadable', patch: { errors: { '/proc/cpuinfo': 'EIO' } }, reason: 'unreadable' },
    { name: '/proc/cpuinfo without a flags line', patch: { files: { '/proc/cpuinfo': file('processor\t: 0\n') } }, reason: 'implausible' },
    { name: 'the probe does not answer a feature', patch: { cpu: { smep: undefined as unknown as boolean } }, reason: 'implausible' },
    { name: 'the probe is missing', patch: { syscalls: 'missing' }, reason: 'probe-unusable' },
  ],
});
