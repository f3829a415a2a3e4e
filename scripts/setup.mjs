// One-time (and idempotent) machine set-up: Debian packages, npm dependencies, the bundle.
// Plain JS on purpose: it runs before any dependency is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

// Why each package: see README "Design".
const APT_PACKAGES = [
  'linux-source-6.12', 'linux-source-6.1', // kernel sources we build and verify the policy against
  'linux-config-6.12', // Debian's own configs: real-world audit input
  'make', 'gcc', 'bc', 'flex', 'bison', 'libelf-dev', 'libssl-dev', 'cpio', 'xz-utils', 'zstd', 'lz4', 'kmod', 'rsync', 'perl',
  'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', // arm64 cross build + arm64 runtime libs for the guest's node
  'linux-libc-dev', 'linux-libc-dev-arm64-cross', // the kernel's UAPI headers the musl-built probe and doctor runtime use (guest-cc.sh)
  'ccache', // variant rebuilds recompile only what changed
  'redis-server', // a real ccache remote backend on loopback: the shared-compile-cache test (test/matrix/remote-ccache.test.ts)
  'gcc-12-plugin-dev', 'gcc-12-plugin-dev-aarch64-linux-gnu', // GCC plugin headers: randstruct, stackleak, latent entropy under gcc
  'clang-19', 'lld-19', 'llvm-19', // clang (--toolchain clang): kCFI, UBSAN local bounds, arm64 kernel BTI
  'qemu-system-x86', 'qemu-system-arm', // the VM
  'squashfs-tools', 'busybox-static', // the guest root filesystem
  'libcap2-bin', // getcap/setcap: file capabilities in a user's root (rootfs --base)
  'mmdebstrap', // a real Debian minbase root for the --base tests (test/e2e/own-image.test.ts)
  'tmux', // the --shell console test
  'qemu-user', // runs the doctor's i386/AArch32 test ELFs on the host (unit tests)
];

const log = (m) => process.stderr.write(`setup: ${m}\n`);
const quiet = process.argv.includes('--quiet');

function missingPackages() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...APT_PACKAGES], { encoding: 'utf8' });
  const installed = new Set(
    r.stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]),
  );
  return APT_PACKAGES.filter((p) => !installed.has(p));
}

const missing = missingPackages();
if (missing.length) {
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    log(`missing Debian packages: ${missing.join(' ')}`);
    log(`run as root: ${cmd}`);
    process.exit(2);
  }
  log(`installing ${missing.length} Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
    env,
  });
}

// npm dependencies: reinstall only when the lockfile changed since the last install.
const lockHash = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const stamp = 'node_modules/.capsem-lock-sha256';
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  log('installing npm dependencies (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(stamp, lockHash);
}

execFileSync('node', ['scripts/bundle.mjs'], { stdio: 'inherit' });
if (!quiet) log('ready');
