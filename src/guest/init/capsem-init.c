/*
 * capsem-init: PID 1 of the guest, in two places, run by a plan that
 * src/guest/init.ts writes for each guest variant (the real guest and the test
 * mutants share this binary; only their plans differ).
 *
 * As /init in the initramfs (stage 1) it builds the root and switches into it;
 * as /usr/local/bin/capsem-init on the squashfs (stage 2) it brings up lo and
 * dummy0, runs the doctor before anything else, and reboots (under QEMU's
 * -no-reboot that ends the VM). One process does all of it with system calls:
 * under emulation every fork and exec of a shell command costs tens of
 * milliseconds, and a busybox script made ~15 of them before the doctor.
 *
 * The plan (/init.plan in the initramfs, PLAN_PATH on the squashfs) is one
 * step a line, fields separated by tabs, "[stage1]" and "[stage2]" opening
 * the steps of each stage:
 *   busybox PATH                      the busybox `sh` steps run on
 *   mount FSTYPE SOURCE TARGET FLAGS DATA   (FLAGS: ro,nosuid,nodev,noexec or -; DATA or -)
 *   mkdir PATH | move FROM TO | umount PATH
 *   mark STAGE                        append "STAGE <ms since boot>" to the timings
 *   dummy NAME                        create the dummy NIC NAME unless the driver already did
 *   up NAME                           set NIC NAME up
 *   sh TEXT                           busybox sh -c TEXT (test variants only); non-zero ends the boot
 *   timings PATH                      write the timings (stage 1's come through CAPSEM_TIMINGS)
 *   doctor ARG...                     run the doctor; unless a console shell is wanted, with --quiet and stdout on /dev/null
 *   switch NEWROOT INIT               switch_root: empty the initramfs, move NEWROOT onto /, exec INIT
 *   shell                             with SHELL_PARAM set: a console shell, then go on
 *   reboot
 * Any failure prints one line on the console and ends the VM: PID 1 must never exit.
 *
 * Built against the kernel's nolibc (tools/include/nolibc of linux-source-6.12,
 * see src/guest/nolibc.ts), not a libc: a static glibc binary is ~700 KB whose
 * first exec under emulation costs ~95 ms, this one a few tens of KB (and the
 * doctor hashes it on every boot). 6.12's nolibc lacks a few things used here;
 * the short helpers below stand in for them.
 */
#include "nolibc.h"
#include <linux/sockios.h> /* SIOCGIFFLAGS, SIOCSIFFLAGS */

/*
 * What a libc's <sys/socket.h> and <net/if.h> would give (the kernel's
 * <linux/if.h> includes <sys/socket.h>): the socket constants, and struct
 * ifreq as the kernel reads it (a name, then a union as large as struct ifmap).
 */
#define AF_INET 2
#define SOCK_DGRAM 2
#define SOCK_CLOEXEC O_CLOEXEC
#define IFNAMSIZ 16
#define IFF_UP 0x1
struct ifreq {
	char ifr_name[IFNAMSIZ];
	union {
		short ifr_flags;
		struct { unsigned long mem_start, mem_end; unsigned short base_addr; unsigned char irq, dma, port; } ifr_map;
	};
};

#ifndef PLAN_PATH
#error "PLAN_PATH is set by the build (src/guest/init.ts)"
#endif
#ifndef SHELL_PARAM
#error "SHELL_PARAM is set by the build (src/guest/init.ts)"
#endif
#ifndef SHELL_PATH
#error "SHELL_PATH is set by the build (src/guest/init.ts)"
#endif
#ifndef CHILD_PATH
#error "CHILD_PATH is set by the build (src/guest/init.ts)"
#endif

#define MAX_FIELDS 16

static char timings[8192];
static size_t timings_len;
static char busybox[512] = SHELL_PATH;
static char **extra_args; /* the kernel's unknown bare parameters: init's argv, passed on to stage 2 */
static int extra_count;

static void end_vm(void) __attribute__((noreturn));
static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* System calls 6.12's nolibc has no wrapper for (my_syscallN returns -errno; __sysret sets errno and returns -1). */
static int openat(int dirfd, const char *path, int flags)
{
	return __sysret(my_syscall4(__NR_openat, dirfd, path, flags, 0));
}
static int unlinkat(int dirfd, const char *path, int flags)
{
	return __sysret(my_syscall3(__NR_unlinkat, dirfd, path, flags));
}
static int socket(int domain, int type, int protocol)
{
	return __sysret(my_syscall3(__NR_socket, domain, type, protocol));
}
static int clock_gettime(int clock, struct timespec *ts)
{
	return __sysret(my_syscall2(__NR_clock_gettime, clock, ts));
}
static void sync(void)
{
	my_syscall0(__NR_sync);
}

/*
 * vsnprintf for what the messages here use (6.12's nolibc prints only to a
 * stream, a write per piece): %s, %.Ns, %d and %lld. Like vsnprintf, it
 * returns the length of the whole text and stores what fits, NUL-terminated.
 */
static size_t vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t len = 0;
	while (*fmt) {
		char num[24];
		const char *s = fmt;
		size_t max = 1; /* a plain character: itself */
		if (*fmt++ == '%') {
			max = (size_t)-1;
			if (*fmt == '.')
				for (max = 0, fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
					max = max * 10 + (size_t)(*fmt - '0');
			if (*fmt == 's') {
				s = va_arg(ap, const char *);
			} else if (*fmt == 'd') {
				i64toa_r(va_arg(ap, int), num);
				s = num;
			} else if (strncmp(fmt, "lld", 3) == 0) {
				i64toa_r(va_arg(ap, long long), num);
				s = num;
				fmt += 2;
			} else {
				s = "?"; /* a conversion not listed above: a mistake in this file */
			}
			if (*fmt)
				fmt++;
		}
		for (; *s && max; s++, max--, len++)
			if (len + 1 < size)
				buf[len] = *s;
	}
	if (size)
		buf[len < size ? len : size - 1] = '\0';
	return len;
}

static size_t format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static size_t format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t len = vformat(buf, size, fmt, ap);
	va_end(ap);
	return len;
}

/* "capsem-init: MESSAGE" on stderr, in one write (dprintf: nolibc has none). */
static void vsay(const char *fmt, va_list ap)
{
	char line[1024] = "capsem-init: ";
	size_t len = strlen(line), room = sizeof line - len - 1; /* the last byte for the newline */
	size_t n = vformat(line + len, room, fmt, ap);
	len += n < room ? n : room - 1;
	line[len++] = '\n';
	write(2, line, len);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

/* strerror: glibc's text for the errors these system calls meet (6.12's nolibc says only "errno=N", as it still does for the others). */
static const char *error_text(int e)
{
	static const struct { int no; const char *text; } known[] = {
		{ EPERM, "Operation not permitted" }, { ENOENT, "No such file or directory" },
		{ EIO, "Input/output error" }, { ENXIO, "No such device or address" },
		{ E2BIG, "Argument list too long" }, { ENOEXEC, "Exec format error" },
		{ EBADF, "Bad file descriptor" }, { ENOMEM, "Cannot allocate memory" },
		{ EACCES, "Permission denied" }, { EFAULT, "Bad address" },
		{ ENOTBLK, "Block device required" }, { EBUSY, "Device or resource busy" },
		{ EEXIST, "File exists" }, { ENODEV, "No such device" },
		{ ENOTDIR, "Not a directory" }, { EISDIR, "Is a directory" },
		{ EINVAL, "Invalid argument" }, { EMFILE, "Too many open files" },
		{ ETXTBSY, "Text file busy" }, { ENOSPC, "No space left on device" },
		{ EROFS, "Read-only file system" }, { ENAMETOOLONG, "File name too long" },
		{ ENOSYS, "Function not implemented" }, { ELOOP, "Too many levels of symbolic links" },
		{ EOPNOTSUPP, "Operation not supported" },
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i].no == e)
			return known[i].text;
	return strerror(e);
}

/* setenv, and unsetenv when `value` is NULL (nolibc has neither): `environ` becomes a copy without NAME, plus NAME=VALUE. */
static void set_env(const char *name, const char *value)
{
	size_t len = strlen(name), n = 0, k = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	if (!env)
		die("out of memory");
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], name, len) != 0 || environ[i][len] != '=')
			env[k++] = environ[i];
	if (value) {
		size_t size = len + strlen(value) + 2;
		if (!(env[k] = malloc(size)))
			die("out of memory");
		format(env[k], size, "%s=%s", name, value);
	}
	environ = env;
}

/* strtok_r with one delimiter (nolibc has no strtok): the next non-empty field at *rest, or NULL. */
static char *next_field(char **rest, char delim)
{
	char *s = *rest;
	while (*s == delim)
		s++;
	if (!*s)
		return NULL;
	char *end = strchr(s, delim);
	if (end)
		*end++ = '\0';
	else
		end = s + strlen(s);
	*rest = end;
	return s;
}

static int wait_for(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* argv[0] is a path; stdout to /dev/null when `quiet`. Returns the exit status, -1 if it could not start. */
static int run(char *const argv[], int quiet)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, 1);
		}
		execve(argv[0], argv, environ);
		say("%s: %s", argv[0], error_text(errno));
		exit(127);
	}
	return wait_for(pid);
}

static int console_shell(int login)
{
	char *argv[] = { busybox, "setsid", "cttyhack", "sh", login ? "-l" : NULL, NULL };
	return run(argv, 0);
}

static void end_vm(void)
{
#ifdef CAPSEM_INIT_TEST
	/* The host's test build (test/guest/init.test.ts): exit where the VM would end. */
	exit(3);
#endif
	sync();
	reboot(LINUX_REBOOT_CMD_RESTART);
	for (;;)
		poll(NULL, 0, -1); /* pause(): nolibc has none */
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	if (getenv(SHELL_PARAM) && *getenv(SHELL_PARAM))
		console_shell(0);
	end_vm();
}

static void mark(const char *stage)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	size_t n = format(timings + timings_len, sizeof timings - timings_len, "%s %lld\n", stage,
			 (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	if (n < sizeof timings - timings_len)
		timings_len += n;
}

static unsigned long mount_flags(const char *list)
{
	static const struct { const char *name; unsigned long flag; } known[] = {
		{ "ro", MS_RDONLY }, { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
	};
	unsigned long flags = 0;
	if (strcmp(list, "-") == 0)
		return 0;
	char copy[256];
	strlcpy(copy, list, sizeof copy);
	for (char *rest = copy, *f; (f = next_field(&rest, ','));) {
		size_t i;
		for (i = 0; i < sizeof known / sizeof known[0]; i++)
			if (strcmp(f, known[i].name) == 0)
				break;
		if (i == sizeof known / sizeof known[0])
			die("plan: unknown mount flag %s", f);
		flags |= known[i].flag;
	}
	return flags;
}

static void mkdir_p(const char *path)
{
	char p[512];
	strlcpy(p, path, sizeof p);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			die("cannot make %s: %s", p, error_text(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		die("cannot make %s: %s", p, error_text(errno));
}

static int nic_flags(const char *name, short set)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	strlcpy(ifr.ifr_name, name, IFNAMSIZ);
	int ok = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= set;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static int same_dev(const struct statx *a, const struct statx *b)
{
	return a->stx_dev_major == b->stx_dev_major && a->stx_dev_minor == b->stx_dev_minor;
}

/*
 * switch_root's emptying of the initramfs: everything on the root's device, not
 * below other mounts. Read with getdents64 and statx: nolibc has no dirent and no fstatat.
 */
static void empty_dir(int dirfd, const struct statx *root)
{
	char buf[4096] __attribute__((aligned(8)));
	for (long len; (len = getdents64(dirfd, (struct linux_dirent64 *)buf, sizeof buf)) > 0;) {
		for (long off = 0; off < len;) {
			struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + off);
			off += e->d_reclen;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			struct statx st;
			if (statx(dirfd, e->d_name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &st) || !same_dev(&st, root))
				continue;
			if (S_ISDIR(st.stx_mode)) {
				int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (sub >= 0)
					empty_dir(sub, root);
				unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
			} else {
				unlinkat(dirfd, e->d_name, 0);
			}
		}
	}
	close(dirfd);
}

static void switch_root(const char *newroot, const char *init)
{
	struct statx root, nr;
	if (statx(AT_FDCWD, "/", 0, STATX_TYPE, &root) || statx(AT_FDCWD, newroot, 0, STATX_TYPE, &nr) || same_dev(&root, &nr))
		die("switch_root: %s is not a mount point", newroot);
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		empty_dir(fd, &root);
	if (chdir(newroot) || mount(".", "/", NULL, MS_MOVE, NULL) || chroot(".") || chdir("/"))
		die("switch_root into %s: %s", newroot, error_text(errno));
	timings[timings_len] = '\0';
	set_env("CAPSEM_TIMINGS", timings);
	char **argv = calloc((size_t)extra_count + 2, sizeof *argv);
	if (!argv)
		die("out of memory");
	argv[0] = (char *)init;
	for (int i = 0; i < extra_count; i++)
		argv[i + 1] = extra_args[i];
	execve(init, argv, environ);
	die("switch_root: exec %s: %s", init, error_text(errno));
}

static void step(char **f, int n)
{
	const char *op = f[0];
#define NEED(k) \
	if (n != (k) + 1) \
		die("plan: %s takes %d fields, got %d", op, (k), n - 1)
	if (strcmp(op, "busybox") == 0) {
		NEED(1);
		strlcpy(busybox, f[1], sizeof busybox);
	} else if (strcmp(op, "mount") == 0) {
		NEED(5);
		const char *data = strcmp(f[5], "-") == 0 ? NULL : f[5];
		if (mount(f[2], f[3], f[1], mount_flags(f[4]), data))
			die("cannot mount %s (%s) on %s: %s", f[2], f[1], f[3], error_text(errno));
	} else if (strcmp(op, "mkdir") == 0) {
		NEED(1);
		mkdir_p(f[1]);
	} else if (strcmp(op, "move") == 0) {
		NEED(2);
		if (mount(f[1], f[2], NULL, MS_MOVE, NULL))
			die("cannot move %s to %s: %s", f[1], f[2], error_text(errno));
	} else if (strcmp(op, "umount") == 0) {
		NEED(1);
		if (umount2(f[1], 0))
			die("cannot unmount %s: %s", f[1], error_text(errno));
	} else if (strcmp(op, "mark") == 0) {
		NEED(1);
		mark(f[1]);
	} else if (strcmp(op, "dummy") == 0) {
		NEED(1);
		char path[128];
		format(path, sizeof path, "/sys/class/net/%s", f[1]);
		char *argv[] = { busybox, "ip", "link", "add", f[1], "type", "dummy", NULL };
		struct stat st;
		if (stat(path, &st) && run(argv, 0) != 0)
			die("cannot create %s", f[1]);
	} else if (strcmp(op, "up") == 0) {
		NEED(1);
		if (!nic_flags(f[1], IFF_UP))
			die("cannot bring up %s: %s", f[1], error_text(errno));
	} else if (strcmp(op, "sh") == 0) {
		NEED(1);
		char *argv[] = { busybox, "sh", "-c", f[1], NULL };
		int status = run(argv, 0);
		if (status != 0)
			die("a variant step failed (status %d): %.200s", status, f[1]);
	} else if (strcmp(op, "timings") == 0) {
		NEED(1);
		int fd = open(f[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, timings, timings_len) != (ssize_t)timings_len || close(fd))
			die("cannot write %s: %s", f[1], error_text(errno));
	} else if (strcmp(op, "doctor") == 0) {
		if (n < 2)
			die("plan: doctor takes a command");
		/* The host gets the report over the result port; printing it on the console costs
		 * seconds of emulated serial output, so only a person at the console sees the text:
		 * otherwise the doctor is told --quiet (it formats no text) and its stdout is /dev/null. */
		const char *shell = getenv(SHELL_PARAM);
		int quiet = !(shell && *shell);
		char *argv[MAX_FIELDS + 2];
		int k = 0;
		for (int i = 1; i < n; i++)
			argv[k++] = f[i];
		if (quiet)
			argv[k++] = "--quiet";
		argv[k] = NULL;
		int status = run(argv, quiet);
		if (status != 0)
			say("capsem-doctor exited %d", status);
	} else if (strcmp(op, "switch") == 0) {
		NEED(2);
		switch_root(f[1], f[2]);
	} else if (strcmp(op, "shell") == 0) {
		NEED(0);
		const char *shell = getenv(SHELL_PARAM);
		if (shell && *shell) {
			say("console shell; exit it to power off");
			console_shell(1);
		}
	} else if (strcmp(op, "reboot") == 0) {
		NEED(0);
		end_vm();
	} else {
		die("plan: unknown step %s", op);
	}
#undef NEED
}

int main(int argc, char **argv)
{
	int stage1 = strcmp(argv[0], "/init") == 0;
	extra_args = argv + 1;
	extra_count = argc - 1;
	set_env("PATH", CHILD_PATH);
	const char *handed = getenv("CAPSEM_TIMINGS");
	if (!stage1 && handed) {
		timings_len = strlen(handed) < sizeof timings - 1 ? strlen(handed) : sizeof timings - 1;
		memcpy(timings, handed, timings_len);
	}
	set_env("CAPSEM_TIMINGS", NULL);

	const char *path = stage1 ? "/init.plan" : PLAN_PATH;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	static char plan[65536];
	ssize_t len = fd < 0 ? -1 : read(fd, plan, sizeof plan - 1);
	if (len < 0)
		die("cannot read %s: %s", path, error_text(errno));
	if ((size_t)len == sizeof plan - 1)
		die("%s: too long", path);
	plan[len] = '\0';
	close(fd);

	const char *want = stage1 ? "[stage1]" : "[stage2]";
	int in = 0;
	for (char *rest = plan, *line; (line = next_field(&rest, '\n'));) {
		if (line[0] == '[') {
			in = strcmp(line, want) == 0;
			continue;
		}
		if (!in || line[0] == '#')
			continue;
		char *f[MAX_FIELDS + 1];
		int n = 0;
		for (char *rest = line, *tok; n < MAX_FIELDS && (tok = next_field(&rest, '\t'));)
			f[n++] = tok;
		f[n] = NULL;
		if (n)
			step(f, n);
	}
	die("%s: the plan ended without reboot", path);
}
