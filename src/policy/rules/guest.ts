import type { CheckName } from '../checks.ts';
import { type Rule, defineRules } from '../define.ts';

// The spec's runtime table: properties of the guest image and its processes that no
// kernel option expresses (capsem-doctor verifies them inside the VM).

export const GUEST_PROPERTIES = defineRules([
  {
    id: 'guest-squashfs-root', kind: 'guest', section: 'guest', source: 'spec',
    title: 'Squashfs rootfs',
    rationale: 'The lower layer is a squashfs image on /dev/vda: structurally immutable, no writes possible.',
    checks: ['test_squashfs_is_immutable', 'test_mount_table', 'test_block_devices'],
  },
  {
    id: 'guest-overlay-root', kind: 'guest', section: 'guest', source: 'spec',
    title: 'Overlay configured',
    rationale: 'Root is an overlay: squashfs lowerdir, tmpfs upperdir; writes vanish with the VM.',
    checks: ['test_overlay_configured', 'test_mount_table'],
  },
  {
    id: 'guest-no-real-nics', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No real NICs',
    rationale: 'Only lo and dummy0 exist: the VM is air-gapped.',
    checks: ['test_no_real_nics', 'test_virtio_devices'],
  },
  {
    id: 'guest-no-setuid', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No setuid binaries',
    rationale: 'No file in the image can raise privileges on exec.',
    checks: ['test_no_setuid_binaries', 'test_no_file_capabilities'],
  },
  {
    id: 'guest-no-setgid', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No setgid binaries',
    rationale: 'No file in the image can change group on exec.',
    checks: ['test_no_setgid_binaries'],
  },
  {
    id: 'guest-binaries-read-only', kind: 'guest', section: 'guest', source: 'spec',
    title: 'Guest binaries read-only',
    rationale: 'All capsem binaries are chmod 555 on the read-only lower layer: an agent cannot replace them.',
    checks: ['test_guest_binary_not_writable'],
  },
  {
    id: 'guest-no-sshd', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No sshd', rationale: 'No remote login daemon.', checks: ['test_no_sshd', 'test_process_allowlist'],
  },
  {
    id: 'guest-no-cron', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No cron', rationale: 'No scheduled jobs that outlive the agent\'s task.', checks: ['test_no_cron', 'test_process_allowlist'],
  },
  {
    id: 'guest-no-systemd', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No systemd', rationale: 'A minimal init only; no service manager surface.', checks: ['test_no_systemd', 'test_process_allowlist'],
  },
]) satisfies readonly Rule<string, CheckName>[];
