/*
 * capsem-probe: raw system calls for capsem-doctor (Node cannot issue them).
 *
 *   capsem-probe syscall <name>...  issue each syscall with harmless arguments,
 *                                 print "<ret> <errno>" for each (one line
 *                                 each, in order) and exit 0
 *   capsem-probe fcaps            read NUL-terminated paths from stdin; for each
 *                                 with a security.capability xattr print
 *                                 "cap <path>", for each that cannot be read
 *                                 "err <errno> <path>" (lgetxattr: no symlink
 *                                 is followed; exit 0)
 *   capsem-probe exec <path>      raw execve(path); if it returns, print
 *                                 "<errno>" and exit 0 (on success the
 *                                 program replaces us and its exit code shows)
 *   capsem-probe cpu              what the CPU itself offers, one "<name> <0|1>"
 *                                 line each: x86_64 CPUID leaf 7 (smep, smap,
 *                                 umip); arm64 "pauth" (a non-hint PACIA runs
 *                                 instead of raising SIGILL) and "pauth-user"
 *                                 (it signed the pointer: the kernel enabled
 *                                 address keys for user space)
 *
 * Test mutants only (the mutation suite's guests; they weaken nothing that
 * root could not weaken with one syscall anyway):
 *   capsem-probe confine <prog> [args]  install a seccomp filter that answers
 *                                 ENOSYS for the syscalls probed above (not
 *                                 getpid), then exec prog under it
 *   capsem-probe setcap <path>    give path a security.capability xattr
 *                                 (cap_net_raw permitted)
 *
 * Arguments are chosen so that no call can change the system even where the
 * feature exists: zero lengths, NULL buffers, invalid flags, bad fds.
 * execve is called directly: execvp would retry an ENOEXEC file with /bin/sh.
 * Exit 2 on usage errors (an unknown name: before any syscall is issued). Built static (see build.sh), installed mode 0555.
 *
 * capsem-doctor-rt includes this file with CAPSEM_PROBE_CALLS_ONLY: the same
 * calls (probes[], fcap_state, cpu_features) as natives, without a process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

struct probe {
	const char *name;
	long (*call)(void);
};

static long do_getpid(void) { return syscall(SYS_getpid); }
/* BPF_MAP_CREATE with a NULL attr of size 0: EINVAL/EFAULT/EPERM if bpf exists. */
static long do_bpf(void) { return syscall(SYS_bpf, 0, NULL, 0); }
/* entries = 0 is rejected (EINVAL) before anything is allocated. */
static long do_io_uring_setup(void) { return syscall(SYS_io_uring_setup, 0, NULL); }
/* every flag bit set: EINVAL before a file descriptor is made. */
static long do_userfaultfd(void) { return syscall(SYS_userfaultfd, ~0U); }
/* no segments and every flag bit set: EINVAL/EPERM, never a load or unload. */
static long do_kexec_load(void) { return syscall(SYS_kexec_load, 0UL, 0UL, NULL, ~0UL); }
/* bad fds and every flag bit set: EINVAL/EBADF/EPERM. */
static long do_kexec_file_load(void) { return syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, ~0UL); }
/* an empty image: ENOEXEC/EINVAL/EPERM, nothing can load. */
static long do_init_module(void) { return syscall(SYS_init_module, NULL, 0UL, ""); }
/* fd -1: EBADF/EPERM. */
static long do_finit_module(void) { return syscall(SYS_finit_module, -1, "", 0); }
/*
 * getpid through the x32 table (__X32_SYSCALL_BIT): the pid if the kernel has
 * the x32 ABI, ENOSYS if not. No x32 binary needed. Other arches have no x32:
 * the doctor asks only on x86_64 (the rule is x86_64's), so answer ENOSYS.
 */
static long do_x32_getpid(void)
{
#ifdef __x86_64__
	return syscall(0x40000000L | SYS_getpid);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static const struct probe probes[] = {
	{ "getpid", do_getpid },
	{ "bpf", do_bpf },
	{ "io_uring_setup", do_io_uring_setup },
	{ "userfaultfd", do_userfaultfd },
	{ "kexec_load", do_kexec_load },
	{ "kexec_file_load", do_kexec_file_load },
	{ "init_module", do_init_module },
	{ "finit_module", do_finit_module },
	{ "x32_getpid", do_x32_getpid },
};

/* 1: path carries security.capability; 0: it does not; -1: errno says why it cannot be asked (no symlink is followed). */
static int fcap_state(const char *path)
{
	/* The xattr's size is enough, its value is never read. */
	if (lgetxattr(path, "security.capability", NULL, 0) >= 0)
		return 1;
	return errno == ENODATA || errno == ENOTSUP ? 0 : -1;
}

#ifndef CAPSEM_PROBE_CALLS_ONLY
static int fcaps(void)
{
	char path[4096];
	size_t n = 0;
	int c;
	while ((c = getchar()) != EOF) {
		if (n == sizeof(path) - 1)
			return 2;
		path[n++] = (char)c;
		if (c != '\0')
			continue;
		n = 0;
		int st = fcap_state(path);
		if (st == 1)
			printf("cap %s\n", path);
		else if (st < 0)
			printf("err %d %s\n", errno, path);
	}
	return n == 0 ? 0 : 2;
}
#endif

/* What the CPU offers, by the doctor's names. */
struct cpu_feature {
	const char *name;
	int on;
};

#if defined(__x86_64__)
#include <cpuid.h>
#define CPU_FEATURES 3
static void cpu_features(struct cpu_feature out[CPU_FEATURES])
{
	unsigned a = 0, b = 0, c = 0, d = 0;
	if (__get_cpuid_max(0, NULL) >= 7)
		__cpuid_count(7, 0, a, b, c, d);
	out[0] = (struct cpu_feature){ "smep", (b >> 7) & 1 };
	out[1] = (struct cpu_feature){ "smap", (b >> 20) & 1 };
	out[2] = (struct cpu_feature){ "umip", (c >> 2) & 1 };
}
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
static sigjmp_buf no_pac;
static void on_sigill(int sig) { (void)sig; siglongjmp(no_pac, 1); }
/* PACIA x0, x1 in its non-hint encoding: UNDEFINED (SIGILL) without FEAT_PAuth. */
static uint64_t pacia(uint64_t ptr, uint64_t mod)
{
	register uint64_t x0 __asm__("x0") = ptr;
	register uint64_t x1 __asm__("x1") = mod;
	__asm__ volatile(".inst 0xdac10020" : "+r"(x0) : "r"(x1));
	return x0;
}
#define CPU_FEATURES 2
static void cpu_features(struct cpu_feature out[CPU_FEATURES])
{
	/* Four pointers: a PAC field of zero for all of them is (1/2^7)^4 unlikely. */
	static const uint64_t ptrs[] = { 0x1000, 0x7f0000001000, 0x5555aaaa0000, 0x123456780 };
	volatile int signed_one = 0;
	/* The caller's SIGILL disposition comes back (the doctor's process runs on after this). */
	void (*before)(int) = signal(SIGILL, on_sigill);
	if (sigsetjmp(no_pac, 1)) {
		signal(SIGILL, before);
		out[0] = (struct cpu_feature){ "pauth", 0 };
		out[1] = (struct cpu_feature){ "pauth-user", 0 };
		return;
	}
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
		if (pacia(ptrs[i], 0) != ptrs[i])
			signed_one = 1;
	signal(SIGILL, before);
	out[0] = (struct cpu_feature){ "pauth", 1 };
	out[1] = (struct cpu_feature){ "pauth-user", signed_one };
}
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#else
#error "capsem-probe: x86_64 or arm64 only"
#endif

static const struct probe *find(const char *name)
{
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (strcmp(name, probes[i].name) == 0)
			return &probes[i];
	return NULL;
}

#ifndef CAPSEM_PROBE_CALLS_ONLY
static int cpu(void)
{
	struct cpu_feature f[CPU_FEATURES];
	cpu_features(f);
	for (int i = 0; i < CPU_FEATURES; i++)
		printf("%s %d\n", f[i].name, f[i].on);
	return 0;
}

#define DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS)

/* Without NoNewPrivs (root holds CAP_SYS_ADMIN): only the Seccomp line of /proc/self/status changes. */
static int confine(char **argv)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		DENY(SYS_bpf), DENY(SYS_io_uring_setup), DENY(SYS_userfaultfd), DENY(SYS_kexec_load),
		DENY(SYS_kexec_file_load), DENY(SYS_init_module), DENY(SYS_finit_module),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("capsem-probe confine: seccomp");
		return 1;
	}
	execv(argv[0], argv);
	perror("capsem-probe confine: exec");
	return 1;
}

/* struct vfs_cap_data, VFS_CAP_REVISION_2, little-endian: cap_net_raw (13) permitted. */
static int setcap(const char *path)
{
	const uint32_t cap[5] = { 0x02000000, 1u << 13, 0, 0, 0 };
	if (setxattr(path, "security.capability", cap, sizeof(cap), 0) != 0) {
		perror("capsem-probe setcap");
		return 1;
	}
	return 0;
}

#include "relro.h"

static int usage(void)
{
	fputs("usage: capsem-probe syscall <name>... | fcaps < paths | exec <path> | cpu | confine <prog> [args] | setcap <path>\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	protect_relro();
	if (argc == 2 && strcmp(argv[1], "fcaps") == 0)
		return fcaps();
	if (argc == 2 && strcmp(argv[1], "cpu") == 0)
		return cpu();
	if (argc >= 3 && strcmp(argv[1], "confine") == 0)
		return confine(argv + 2);
	if (argc == 3 && strcmp(argv[1], "setcap") == 0)
		return setcap(argv[2]);
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "syscall") == 0) {
		for (int i = 2; i < argc; i++) {
			if (!find(argv[i])) {
				fprintf(stderr, "capsem-probe: unknown syscall '%s'\n", argv[i]);
				return 2;
			}
		}
		for (int i = 2; i < argc; i++) {
			errno = 0;
			long ret = find(argv[i])->call();
			printf("%ld %d\n", ret, ret == -1 ? errno : 0);
		}
		return 0;
	}
	if (strcmp(argv[1], "exec") == 0 && argc == 3) {
		char *const args[] = { argv[2], NULL };
		char *const env[] = { NULL };
		execve(argv[2], args, env);
		printf("%d\n", errno);
		return 0;
	}
	return usage();
}
#endif
