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
 *
 * Arguments are chosen so that no call can change the system even where the
 * feature exists: zero lengths, NULL buffers, invalid flags, bad fds.
 * execve is called directly: execvp would retry an ENOEXEC file with /bin/sh.
 * Exit 2 on usage errors (an unknown name: before any syscall is issued). Built static (see build.sh), installed mode 0555.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
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

/* File capabilities: the xattr's size is enough, its value is never read. */
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
		if (lgetxattr(path, "security.capability", NULL, 0) >= 0)
			printf("cap %s\n", path);
		else if (errno != ENODATA && errno != ENOTSUP)
			printf("err %d %s\n", errno, path);
	}
	return n == 0 ? 0 : 2;
}

static int usage(void)
{
	fputs("usage: capsem-probe syscall <name>... | capsem-probe fcaps < paths | capsem-probe exec <path>\n", stderr);
	return 2;
}

static const struct probe *find(const char *name)
{
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (strcmp(name, probes[i].name) == 0)
			return &probes[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "fcaps") == 0)
		return fcaps();
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
