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
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
		execv(argv[0], argv);
		dprintf(2, "capsem-init: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
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
	_exit(3);
#endif
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

static void die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dprintf(2, "capsem-init: %s\n", msg);
	if (getenv(SHELL_PARAM) && *getenv(SHELL_PARAM))
		console_shell(0);
	end_vm();
}

static void mark(const char *stage)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int n = snprintf(timings + timings_len, sizeof timings - timings_len, "%s %lld\n", stage,
			 (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	if (n > 0 && (size_t)n < sizeof timings - timings_len)
		timings_len += (size_t)n;
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
	snprintf(copy, sizeof copy, "%s", list);
	for (char *save, *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
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
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			die("cannot make %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		die("cannot make %s: %s", p, strerror(errno));
}

static int nic_flags(const char *name, short set)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	int ok = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= set;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* switch_root's emptying of the initramfs: everything on the root's device, not below other mounts. */
static void empty_dir(int dirfd, dev_t dev)
{
	DIR *d = fdopendir(dirfd);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) || st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub >= 0)
				empty_dir(sub, dev);
			unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dirfd, e->d_name, 0);
		}
	}
	closedir(d);
}

static void switch_root(const char *newroot, const char *init)
{
	struct stat root, nr;
	if (stat("/", &root) || stat(newroot, &nr) || root.st_dev == nr.st_dev)
		die("switch_root: %s is not a mount point", newroot);
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		empty_dir(fd, root.st_dev);
	if (chdir(newroot) || mount(".", "/", NULL, MS_MOVE, NULL) || chroot(".") || chdir("/"))
		die("switch_root into %s: %s", newroot, strerror(errno));
	timings[timings_len] = '\0';
	setenv("CAPSEM_TIMINGS", timings, 1);
	char **argv = calloc((size_t)extra_count + 2, sizeof *argv);
	argv[0] = (char *)init;
	for (int i = 0; i < extra_count; i++)
		argv[i + 1] = extra_args[i];
	execv(init, argv);
	die("switch_root: exec %s: %s", init, strerror(errno));
}

static void step(char **f, int n)
{
	const char *op = f[0];
#define NEED(k) \
	if (n != (k) + 1) \
		die("plan: %s takes %d fields, got %d", op, (k), n - 1)
	if (strcmp(op, "busybox") == 0) {
		NEED(1);
		snprintf(busybox, sizeof busybox, "%s", f[1]);
	} else if (strcmp(op, "mount") == 0) {
		NEED(5);
		const char *data = strcmp(f[5], "-") == 0 ? NULL : f[5];
		if (mount(f[2], f[3], f[1], mount_flags(f[4]), data))
			die("cannot mount %s (%s) on %s: %s", f[2], f[1], f[3], strerror(errno));
	} else if (strcmp(op, "mkdir") == 0) {
		NEED(1);
		mkdir_p(f[1]);
	} else if (strcmp(op, "move") == 0) {
		NEED(2);
		if (mount(f[1], f[2], NULL, MS_MOVE, NULL))
			die("cannot move %s to %s: %s", f[1], f[2], strerror(errno));
	} else if (strcmp(op, "umount") == 0) {
		NEED(1);
		if (umount(f[1]))
			die("cannot unmount %s: %s", f[1], strerror(errno));
	} else if (strcmp(op, "mark") == 0) {
		NEED(1);
		mark(f[1]);
	} else if (strcmp(op, "dummy") == 0) {
		NEED(1);
		char path[128];
		snprintf(path, sizeof path, "/sys/class/net/%s", f[1]);
		char *argv[] = { busybox, "ip", "link", "add", f[1], "type", "dummy", NULL };
		if (access(path, F_OK) && run(argv, 0) != 0)
			die("cannot create %s", f[1]);
	} else if (strcmp(op, "up") == 0) {
		NEED(1);
		if (!nic_flags(f[1], IFF_UP))
			die("cannot bring up %s: %s", f[1], strerror(errno));
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
			die("cannot write %s: %s", f[1], strerror(errno));
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
			dprintf(2, "capsem-init: capsem-doctor exited %d\n", status);
	} else if (strcmp(op, "switch") == 0) {
		NEED(2);
		switch_root(f[1], f[2]);
	} else if (strcmp(op, "shell") == 0) {
		NEED(0);
		const char *shell = getenv(SHELL_PARAM);
		if (shell && *shell) {
			dprintf(2, "capsem-init: console shell; exit it to power off\n");
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
	setenv("PATH", CHILD_PATH, 1);
	const char *handed = getenv("CAPSEM_TIMINGS");
	if (!stage1 && handed) {
		timings_len = strlen(handed) < sizeof timings - 1 ? strlen(handed) : sizeof timings - 1;
		memcpy(timings, handed, timings_len);
	}
	unsetenv("CAPSEM_TIMINGS");

	const char *path = stage1 ? "/init.plan" : PLAN_PATH;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	static char plan[65536];
	ssize_t len = fd < 0 ? -1 : read(fd, plan, sizeof plan - 1);
	if (len < 0)
		die("cannot read %s: %s", path, strerror(errno));
	if ((size_t)len == sizeof plan - 1)
		die("%s: too long", path);
	plan[len] = '\0';
	close(fd);

	const char *want = stage1 ? "[stage1]" : "[stage2]";
	int in = 0;
	for (char *save, *line = strtok_r(plan, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '[') {
			in = strcmp(line, want) == 0;
			continue;
		}
		if (!in || line[0] == '#')
			continue;
		char *f[MAX_FIELDS + 1];
		int n = 0;
		for (char *s2, *tok = strtok_r(line, "\t", &s2); tok && n < MAX_FIELDS; tok = strtok_r(NULL, "\t", &s2))
			f[n++] = tok;
		f[n] = NULL;
		if (n)
			step(f, n);
	}
	die("%s: the plan ended without reboot", path);
}
