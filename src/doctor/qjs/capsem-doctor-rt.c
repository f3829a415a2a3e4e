/*
 * capsem-doctor-rt: the doctor's own runtime, QuickJS-NG linked statically
 * with the few system calls the doctor's Node shims (src/doctor/qjs/) need.
 * Node's cold start under emulation is seconds; this binary has no dynamic
 * loader, no JIT, no helper threads, and runs the doctor precompiled to
 * bytecode, so the guest's libc is never used (a user's image may have none).
 *
 *   capsem-doctor-rt BYTECODE [args]     run the doctor (argv[1] is its bundle,
 *                                        as for node; the rest is the doctor's)
 *   capsem-doctor-rt --compile IN OUT    compile the script IN to bytecode OUT
 *                                        (at image build time, on the host)
 *
 * Natives live on the global __capsemNative; a failed system call throws an
 * Error carrying Node's `code` ('ENOENT') and `errno`, as node:fs does.
 * Exit codes: the doctor's process.exitCode; 70 if the bundle itself threw.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "quickjs.h"
#include "sha256.h"
/* The probe's calls, as natives: a child process costs tens of ms under TCG. */
#define CAPSEM_PROBE_CALLS_ONLY
#include "../probe/capsem-probe.c"
#include "../probe/relro.h"

static double clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Node's os.constants.errno, in Node's order: a name's first number wins for codes (EAGAIN, ENOTSUP). */
#define ERRNOS(X) X(E2BIG) X(EACCES) X(EADDRINUSE) X(EADDRNOTAVAIL) X(EAFNOSUPPORT) X(EAGAIN) X(EALREADY) \
	X(EBADF) X(EBADMSG) X(EBUSY) X(ECANCELED) X(ECHILD) X(ECONNABORTED) X(ECONNREFUSED) X(ECONNRESET) \
	X(EDEADLK) X(EDESTADDRREQ) X(EDOM) X(EDQUOT) X(EEXIST) X(EFAULT) X(EFBIG) X(EHOSTUNREACH) X(EIDRM) \
	X(EILSEQ) X(EINPROGRESS) X(EINTR) X(EINVAL) X(EIO) X(EISCONN) X(EISDIR) X(ELOOP) X(EMFILE) X(EMLINK) \
	X(EMSGSIZE) X(EMULTIHOP) X(ENAMETOOLONG) X(ENETDOWN) X(ENETRESET) X(ENETUNREACH) X(ENFILE) X(ENOBUFS) \
	X(ENODATA) X(ENODEV) X(ENOENT) X(ENOEXEC) X(ENOLCK) X(ENOLINK) X(ENOMEM) X(ENOMSG) X(ENOPROTOOPT) \
	X(ENOSPC) X(ENOSR) X(ENOSTR) X(ENOSYS) X(ENOTCONN) X(ENOTDIR) X(ENOTEMPTY) X(ENOTSOCK) X(ENOTSUP) \
	X(ENOTTY) X(ENXIO) X(EOPNOTSUPP) X(EOVERFLOW) X(EPERM) X(EPIPE) X(EPROTO) X(EPROTONOSUPPORT) \
	X(EPROTOTYPE) X(ERANGE) X(EROFS) X(ESPIPE) X(ESRCH) X(ESTALE) X(ETIME) X(ETIMEDOUT) X(ETXTBSY) \
	X(EWOULDBLOCK) X(EXDEV)
#define ERRNO_ENTRY(e) { #e, e },
static const struct { const char *name; int n; } errnos[] = { ERRNOS(ERRNO_ENTRY) };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *errno_code(int n)
{
	for (size_t i = 0; i < COUNT(errnos); i++)
		if (errnos[i].n == n)
			return errnos[i].name;
	return NULL;
}

/* Signal names as node's spawnSync gives them, less "SIG" (glibc's sigabbrev_np; musl has none): 29 is IO, as in node. */
#define SIGNALS(X) X(HUP) X(INT) X(QUIT) X(ILL) X(TRAP) X(ABRT) X(BUS) X(FPE) X(KILL) X(USR1) X(SEGV) X(USR2) \
	X(PIPE) X(ALRM) X(TERM) X(STKFLT) X(CHLD) X(CONT) X(STOP) X(TSTP) X(TTIN) X(TTOU) X(URG) X(XCPU) X(XFSZ) \
	X(VTALRM) X(PROF) X(WINCH) X(IO) X(PWR) X(SYS)
#define SIGNAL_ENTRY(s) [SIG##s] = #s,
static const char *const signal_names[] = { SIGNALS(SIGNAL_ENTRY) };

static const char *signal_name(int n)
{
	return n > 0 && (size_t)n < COUNT(signal_names) ? signal_names[n] : NULL;
}

/* Throws like node:fs: "ENOENT: no such file or directory, open '/x'" with code and errno. */
static JSValue throw_errno(JSContext *ctx, const char *syscall, const char *path)
{
	int e = errno;
	const char *code = errno_code(e);
	char msg[4400];
	snprintf(msg, sizeof(msg), "%s: %s, %s%s%s%s", code ? code : "EUNKNOWN", strerror(e), syscall, path ? " '" : "",
		 path ? path : "", path ? "'" : "");
	JSValue err = JS_NewError(ctx);
	JS_SetPropertyStr(ctx, err, "message", JS_NewString(ctx, msg));
	JS_SetPropertyStr(ctx, err, "code", JS_NewString(ctx, code ? code : "EUNKNOWN"));
	JS_SetPropertyStr(ctx, err, "errno", JS_NewInt32(ctx, -e));
	JS_SetPropertyStr(ctx, err, "syscall", JS_NewString(ctx, syscall));
	if (path)
		JS_SetPropertyStr(ctx, err, "path", JS_NewString(ctx, path));
	return JS_Throw(ctx, err);
}

#define NATIVE(name) static JSValue name(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
#define UNUSED (void)this_val; (void)argc

/* A path argument; NULL (an exception pending) if it is not a string. */
static const char *path_arg(JSContext *ctx, JSValueConst v) { return JS_ToCString(ctx, v); }

/* open(path, flags | O_CLOEXEC): openat itself, as musl's open() follows it with an
 * fcntl(F_SETFD) for kernels older than O_CLOEXEC (a system call per file, under emulation). */
static int open_cloexec(const char *path, int flags, int mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC, mode);
}

/*
 * Calls each(name, arg) for the entries of directory path but . and ..: 0, or -1 with errno.
 * getdents64 into one static buffer rather than opendir: musl's opendir mallocs a 2 KiB DIR
 * that its malloc maps and unmaps again every time (an mmap and a munmap per directory).
 * Each caller reads one directory whole before it opens another.
 */
static int dir_names(const char *path, void (*each)(const char *name, void *arg), void *arg)
{
	static _Alignas(8) char buf[32768];
	struct dirent_rec {
		uint64_t ino;
		int64_t off;
		unsigned short reclen;
		unsigned char type;
		char name[];
	};
	int fd = open_cloexec(path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return -1;
	long n;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long at = 0; at < n; at += ((struct dirent_rec *)(buf + at))->reclen) {
			const char *name = ((struct dirent_rec *)(buf + at))->name;
			if (strcmp(name, ".") && strcmp(name, ".."))
				each(name, arg);
		}
	int e = errno;
	close(fd);
	return n < 0 ? (errno = e, -1) : 0;
}

NATIVE(n_open)
{
	UNUSED;
	int32_t flags, mode = 0666;
	const char *p = path_arg(ctx, argv[0]);
	if (!p || JS_ToInt32(ctx, &flags, argv[1]) || (argc > 2 && JS_ToInt32(ctx, &mode, argv[2])))
		return JS_EXCEPTION;
	int fd = open_cloexec(p, flags, mode);
	JSValue r = fd < 0 ? throw_errno(ctx, "open", p) : JS_NewInt32(ctx, fd);
	JS_FreeCString(ctx, p);
	return r;
}

NATIVE(n_close)
{
	UNUSED;
	int32_t fd;
	if (JS_ToInt32(ctx, &fd, argv[0]))
		return JS_EXCEPTION;
	return close(fd) < 0 ? throw_errno(ctx, "close", NULL) : JS_UNDEFINED;
}

/* read(fd, u8, offset, length, position | null) -> bytes read */
NATIVE(n_read)
{
	UNUSED;
	int32_t fd;
	int64_t off, len, pos = -1;
	size_t size;
	uint8_t *buf = JS_GetUint8Array(ctx, &size, argv[1]);
	if (!buf || JS_ToInt32(ctx, &fd, argv[0]) || JS_ToInt64(ctx, &off, argv[2]) || JS_ToInt64(ctx, &len, argv[3]))
		return JS_EXCEPTION;
	if (!JS_IsNull(argv[4]) && !JS_IsUndefined(argv[4]) && JS_ToInt64(ctx, &pos, argv[4]))
		return JS_EXCEPTION;
	if (off < 0 || len < 0 || (uint64_t)(off + len) > size)
		return JS_ThrowRangeError(ctx, "read: offset %lld + length %lld outside a buffer of %zu", (long long)off, (long long)len, size);
	ssize_t n = pos >= 0 ? pread(fd, buf + off, len, pos) : read(fd, buf + off, len);
	return n < 0 ? throw_errno(ctx, "read", NULL) : JS_NewInt64(ctx, n);
}

/* write(fd, u8) -> bytes written (all of them: short writes are retried) */
NATIVE(n_write)
{
	UNUSED;
	int32_t fd;
	size_t size, done = 0;
	uint8_t *buf = JS_GetUint8Array(ctx, &size, argv[1]);
	if (!buf || JS_ToInt32(ctx, &fd, argv[0]))
		return JS_EXCEPTION;
	while (done < size) {
		ssize_t n = write(fd, buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return throw_errno(ctx, "write", NULL);
		done += n;
	}
	return JS_NewInt64(ctx, done);
}

static JSValue stat_object(JSContext *ctx, const struct stat *st)
{
	JSValue o = JS_NewObject(ctx);
	JS_SetPropertyStr(ctx, o, "mode", JS_NewInt64(ctx, st->st_mode));
	JS_SetPropertyStr(ctx, o, "uid", JS_NewInt64(ctx, st->st_uid));
	JS_SetPropertyStr(ctx, o, "gid", JS_NewInt64(ctx, st->st_gid));
	JS_SetPropertyStr(ctx, o, "dev", JS_NewInt64(ctx, (int64_t)st->st_dev));
	JS_SetPropertyStr(ctx, o, "ino", JS_NewInt64(ctx, (int64_t)st->st_ino));
	JS_SetPropertyStr(ctx, o, "rdev", JS_NewInt64(ctx, (int64_t)st->st_rdev));
	JS_SetPropertyStr(ctx, o, "size", JS_NewInt64(ctx, st->st_size));
	JS_SetPropertyStr(ctx, o, "nlink", JS_NewInt64(ctx, (int64_t)st->st_nlink));
	return o;
}

static JSValue do_stat(JSContext *ctx, JSValueConst arg, int follow)
{
	struct stat st;
	const char *p = path_arg(ctx, arg);
	if (!p)
		return JS_EXCEPTION;
	int rc = follow ? stat(p, &st) : lstat(p, &st);
	JSValue r = rc < 0 ? throw_errno(ctx, follow ? "stat" : "lstat", p) : stat_object(ctx, &st);
	JS_FreeCString(ctx, p);
	return r;
}
NATIVE(n_stat) { UNUSED; return do_stat(ctx, argv[0], 1); }
NATIVE(n_lstat) { UNUSED; return do_stat(ctx, argv[0], 0); }

NATIVE(n_fstat)
{
	UNUSED;
	int32_t fd;
	struct stat st;
	if (JS_ToInt32(ctx, &fd, argv[0]))
		return JS_EXCEPTION;
	return fstat(fd, &st) < 0 ? throw_errno(ctx, "fstat", NULL) : stat_object(ctx, &st);
}

/* dir_names into a JS array. */
struct name_list {
	JSContext *ctx;
	JSValue arr;
	uint32_t n;
};
static void push_js_name(const char *name, void *arg)
{
	struct name_list *l = arg;
	JS_SetPropertyUint32(l->ctx, l->arr, l->n++, JS_NewString(l->ctx, name));
}

NATIVE(n_readdir)
{
	UNUSED;
	const char *p = path_arg(ctx, argv[0]);
	if (!p)
		return JS_EXCEPTION;
	struct name_list l = { ctx, JS_NewArray(ctx), 0 };
	JSValue r = l.arr;
	if (dir_names(p, push_js_name, &l) < 0) {
		JS_FreeValue(ctx, l.arr);
		r = throw_errno(ctx, "scandir", p);
	}
	JS_FreeCString(ctx, p);
	return r;
}

/*
 * readFile(path, records) -> ArrayBuffer: the whole file, read to its end in
 * one call (the doctor reads tens of small /proc and /sys files). records: a
 * record device (/dev/kmsg) read without blocking, one record per read, to its
 * current end (EAGAIN); EPIPE (the ring overwrote the next record) skips on.
 */
NATIVE(n_read_file)
{
	UNUSED;
	static uint8_t scratch[65536];
	const char *p = path_arg(ctx, argv[0]);
	if (!p)
		return JS_EXCEPTION;
	int records = JS_ToBool(ctx, argv[1]);
	int fd = open_cloexec(p, O_RDONLY | (records ? O_NONBLOCK : 0), 0);
	if (fd < 0) {
		JSValue r = throw_errno(ctx, "open", p);
		JS_FreeCString(ctx, p);
		return r;
	}
	uint8_t *buf = scratch, *grown;
	size_t cap = sizeof(scratch), len = 0;
	JSValue r = JS_UNDEFINED;
	for (;;) {
		if (cap - len < 8192) {
			if (!(grown = buf == scratch ? malloc(cap * 2) : realloc(buf, cap * 2))) {
				r = JS_ThrowOutOfMemory(ctx);
				break;
			}
			if (buf == scratch)
				memcpy(grown, scratch, len);
			buf = grown, cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && (errno == EINTR || (records && errno == EPIPE)))
			continue;
		if (n < 0 && records && errno == EAGAIN)
			break;
		if (n < 0) {
			r = throw_errno(ctx, "read", NULL);
			break;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	if (JS_IsUndefined(r))
		r = JS_NewArrayBufferCopy(ctx, buf, len);
	if (buf != scratch)
		free(buf);
	JS_FreeCString(ctx, p);
	return r;
}

NATIVE(n_readlink)
{
	UNUSED;
	char buf[4096];
	const char *p = path_arg(ctx, argv[0]);
	if (!p)
		return JS_EXCEPTION;
	ssize_t n = readlink(p, buf, sizeof(buf));
	JSValue r = n < 0 ? throw_errno(ctx, "readlink", p) : JS_NewStringLen(ctx, buf, n);
	JS_FreeCString(ctx, p);
	return r;
}

NATIVE(n_statfs_type)
{
	UNUSED;
	struct statfs s;
	const char *p = path_arg(ctx, argv[0]);
	if (!p)
		return JS_EXCEPTION;
	JSValue r = statfs(p, &s) < 0 ? throw_errno(ctx, "statfs", p) : JS_NewInt64(ctx, (int64_t)(unsigned long)s.f_type);
	JS_FreeCString(ctx, p);
	return r;
}

NATIVE(n_mkdtemp)
{
	UNUSED;
	char buf[4096];
	const char *p = path_arg(ctx, argv[0]);
	if (!p)
		return JS_EXCEPTION;
	snprintf(buf, sizeof(buf), "%sXXXXXX", p);
	JSValue r = mkdtemp(buf) ? JS_NewString(ctx, buf) : throw_errno(ctx, "mkdtemp", p);
	JS_FreeCString(ctx, p);
	return r;
}

static JSValue path_call(JSContext *ctx, JSValueConst arg, int (*fn)(const char *), const char *name)
{
	const char *p = path_arg(ctx, arg);
	if (!p)
		return JS_EXCEPTION;
	JSValue r = fn(p) < 0 ? throw_errno(ctx, name, p) : JS_UNDEFINED;
	JS_FreeCString(ctx, p);
	return r;
}
NATIVE(n_unlink) { UNUSED; return path_call(ctx, argv[0], unlink, "unlink"); }
NATIVE(n_rmdir) { UNUSED; return path_call(ctx, argv[0], rmdir, "rmdir"); }

/* The doctor's names for st_mode's file types (env.ts FileKind). */
static const char *kind_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFBLK: return "block";
	case S_IFCHR: return "char";
	case S_IFIFO: return "fifo";
	default: return "socket";
	}
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A path in a growable list (the walk's stack and a directory's names). */
struct strs {
	char **v;
	size_t n, cap;
};
static int strs_push(struct strs *s, const char *p)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof(char *));
		if (!v)
			return -1;
		s->v = v, s->cap = cap;
	}
	return (s->v[s->n] = strdup(p)) ? (int)s->n++ : -1;
}
static void push_name(const char *name, void *names) { strs_push(names, name); }
static void strs_free(struct strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* [path, code] for a failed read (code: Node's errno name). */
static void push_miss(JSContext *ctx, JSValue arr, uint32_t *n, const char *path, int e)
{
	const char *code = errno_code(e);
	JSValue m = JS_NewArray(ctx);
	JS_SetPropertyUint32(ctx, m, 0, JS_NewString(ctx, path));
	JS_SetPropertyUint32(ctx, m, 1, JS_NewString(ctx, code ? code : "EUNKNOWN"));
	JS_SetPropertyUint32(ctx, arr, (*n)++, m);
}

/* A guest path under guestTop as a host path: hostTop + what follows guestTop. */
static const char *host_of(char *buf, size_t size, const char *host_top, const char *guest_top, const char *guest)
{
	const char *rel = strcmp(guest_top, "/") ? guest + strlen(guest_top) : guest;
	snprintf(buf, size, "%s%s", strcmp(host_top, "/") ? host_top : "", rel);
	return buf[0] ? buf : "/";
}

/*
 * walk(hostTop, guestTop) -> { entries, special: [path, mode & 07777, kind][],
 * files: path[], unreadable: [path, code][] }: env.ts walkTree in one call
 * (lstat each entry, names sorted, depth first from the last name, directories
 * entered only on the top's st_dev; ENOENT is a file gone while walking).
 * Paths are guest paths: guestTop's prefix in place of hostTop's.
 */
NATIVE(n_walk)
{
	UNUSED;
	const char *host_top = path_arg(ctx, argv[0]);
	if (!host_top)
		return JS_EXCEPTION;
	const char *guest_top = path_arg(ctx, argv[1]);
	if (!guest_top) {
		JS_FreeCString(ctx, host_top);
		return JS_EXCEPTION;
	}
	char host[8192];
	JSValue out = JS_NewObject(ctx), special = JS_NewArray(ctx), files = JS_NewArray(ctx), unreadable = JS_NewArray(ctx);
	uint32_t n_special = 0, n_files = 0, n_unreadable = 0;
	int64_t entries = 0;
	struct stat st;
	struct strs stack = { 0 };
	if (lstat(host_top, &st) < 0) {
		push_miss(ctx, unreadable, &n_unreadable, guest_top, errno);
		goto done;
	}
	dev_t dev = st.st_dev;
	strs_push(&stack, guest_top);
	while (stack.n) {
		char *dir = stack.v[--stack.n];
		struct strs names = { 0 };
		if (dir_names(host_of(host, sizeof(host), host_top, guest_top, dir), push_name, &names) < 0) {
			if (errno != ENOENT)
				push_miss(ctx, unreadable, &n_unreadable, dir, errno);
			strs_free(&names), free(dir);
			continue;
		}
		qsort(names.v, names.n, sizeof(char *), cmp_names);
		for (size_t i = 0; i < names.n; i++) {
			char guest[8192];
			snprintf(guest, sizeof(guest), "%s/%s", strcmp(dir, "/") ? dir : "", names.v[i]);
			if (lstat(host_of(host, sizeof(host), host_top, guest_top, guest), &st) < 0) {
				if (errno != ENOENT)
					push_miss(ctx, unreadable, &n_unreadable, guest, errno);
				continue;
			}
			entries++;
			if (S_ISLNK(st.st_mode))
				continue;
			if (st.st_mode & 06000) {
				JSValue f = JS_NewArray(ctx);
				JS_SetPropertyUint32(ctx, f, 0, JS_NewString(ctx, guest));
				JS_SetPropertyUint32(ctx, f, 1, JS_NewInt32(ctx, st.st_mode & 07777));
				JS_SetPropertyUint32(ctx, f, 2, JS_NewString(ctx, kind_name(st.st_mode)));
				JS_SetPropertyUint32(ctx, special, n_special++, f);
			}
			if (S_ISREG(st.st_mode))
				JS_SetPropertyUint32(ctx, files, n_files++, JS_NewString(ctx, guest));
			if (S_ISDIR(st.st_mode) && st.st_dev == dev && strs_push(&stack, guest) < 0) {
				strs_free(&names), free(dir), strs_free(&stack);
				JS_FreeValue(ctx, out), JS_FreeValue(ctx, special), JS_FreeValue(ctx, files), JS_FreeValue(ctx, unreadable);
				JS_FreeCString(ctx, host_top), JS_FreeCString(ctx, guest_top);
				return JS_ThrowOutOfMemory(ctx);
			}
		}
		strs_free(&names), free(dir);
	}
done:
	strs_free(&stack);
	JS_SetPropertyStr(ctx, out, "entries", JS_NewInt64(ctx, entries));
	JS_SetPropertyStr(ctx, out, "special", special);
	JS_SetPropertyStr(ctx, out, "files", files);
	JS_SetPropertyStr(ctx, out, "unreadable", unreadable);
	JS_FreeCString(ctx, host_top), JS_FreeCString(ctx, guest_top);
	return out;
}

/* Reads all of fd into a growing buffer (a child's stdout). */
struct sink {
	uint8_t *data;
	size_t len, cap;
};
static int sink_read(struct sink *s, int fd)
{
	if (s->cap - s->len < 4096) {
		size_t cap = s->cap ? s->cap * 2 : 65536;
		uint8_t *d = realloc(s->data, cap);
		if (!d)
			return -1;
		s->data = d, s->cap = cap;
	}
	ssize_t n = read(fd, s->data + s->len, s->cap - s->len);
	if (n > 0)
		s->len += n;
	return (int)n;
}

/*
 * spawnSync(file, args, input | null, timeoutMs) -> { pid, status, signal, stdout, stderr }
 * (ArrayBuffers) with an empty environment, as the doctor's probe calls want;
 * throws ENOENT & co. when file cannot be executed at all, as node reports it.
 */
NATIVE(n_spawn)
{
	UNUSED;
	int64_t len;
	int32_t timeout_ms;
	if (JS_GetLength(ctx, argv[1], &len) || JS_ToInt32(ctx, &timeout_ms, argv[3]))
		return JS_EXCEPTION;
	const char *file = path_arg(ctx, argv[0]);
	if (!file)
		return JS_EXCEPTION;
	size_t in_len = 0;
	const char *input = JS_IsNull(argv[2]) || JS_IsUndefined(argv[2]) ? NULL : JS_ToCStringLen(ctx, &in_len, argv[2]);
	char **args = calloc(len + 2, sizeof(char *));
	args[0] = (char *)file;
	for (int64_t i = 0; i < len; i++) {
		JSValue v = JS_GetPropertyUint32(ctx, argv[1], (uint32_t)i);
		args[i + 1] = (char *)JS_ToCString(ctx, v);
		JS_FreeValue(ctx, v);
	}
	int in[2], out[2], err[2];
	JSValue result = JS_UNDEFINED;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		result = throw_errno(ctx, "spawnSync", file);
		goto done;
	}
	/*
	 * posix_spawn: the child shares our memory until it execs (no copy of the
	 * page tables, which costs milliseconds under TCG), calls execve itself (no
	 * PATH, no sh retry of an ENOEXEC file) and reports its errno as the result.
	 */
	char *const env[] = { NULL };
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	pid_t pid;
	int rc = posix_spawn(&pid, file, &fa, NULL, args, env);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]), close(out[1]), close(err[1]);
	if (rc != 0) {
		close(in[1]), close(out[0]), close(err[0]);
		errno = rc;
		result = throw_errno(ctx, "spawnSync", file);
		goto done;
	}
	/* Small inputs (a list of paths) fit the pipe buffer; a bigger one is written as the child reads. */
	signal(SIGPIPE, SIG_IGN);
	size_t in_done = 0;
	if (!input || in_len == 0)
		close(in[1]), in[1] = -1;
	struct sink so = { 0 }, se = { 0 };
	int open_out = 1, open_err = 1, status = 0, timed_out = 0;
	double deadline = clock_ms() + timeout_ms;
	while (open_out || open_err || in[1] >= 0) {
		struct pollfd fds[3] = { { open_out ? out[0] : -1, POLLIN, 0 }, { open_err ? err[0] : -1, POLLIN, 0 }, { in[1], POLLOUT, 0 } };
		int left = (int)(deadline - clock_ms());
		if (left <= 0 || poll(fds, 3, left) == 0) {
			kill(pid, SIGKILL), timed_out = 1;
			break;
		}
		if (fds[0].revents && sink_read(&so, out[0]) <= 0)
			open_out = 0;
		if (fds[1].revents && sink_read(&se, err[0]) <= 0)
			open_err = 0;
		if (fds[2].revents) {
			ssize_t n = write(in[1], input + in_done, in_len - in_done);
			if (n > 0)
				in_done += n;
			if (n <= 0 || in_done == in_len)
				close(in[1]), in[1] = -1;
		}
	}
	if (in[1] >= 0)
		close(in[1]);
	close(out[0]), close(err[0]);
	waitpid(pid, &status, 0);
	result = JS_NewObject(ctx);
	JS_SetPropertyStr(ctx, result, "pid", JS_NewInt32(ctx, pid));
	JS_SetPropertyStr(ctx, result, "status", WIFEXITED(status) ? JS_NewInt32(ctx, WEXITSTATUS(status)) : JS_NULL);
	if (WIFSIGNALED(status)) {
		char name[32];
		const char *sig = signal_name(WTERMSIG(status));
		snprintf(name, sizeof(name), "SIG%s", sig ? sig : "UNKNOWN");
		JS_SetPropertyStr(ctx, result, "signal", JS_NewString(ctx, name));
	} else {
		JS_SetPropertyStr(ctx, result, "signal", JS_NULL);
	}
	JS_SetPropertyStr(ctx, result, "timedOut", JS_NewBool(ctx, timed_out));
	JS_SetPropertyStr(ctx, result, "stdout", JS_NewArrayBufferCopy(ctx, so.data, so.len));
	JS_SetPropertyStr(ctx, result, "stderr", JS_NewArrayBufferCopy(ctx, se.data, se.len));
	free(so.data), free(se.data);
done:
	for (int64_t i = 0; i < len; i++)
		JS_FreeCString(ctx, args[i + 1]);
	free(args);
	if (input)
		JS_FreeCString(ctx, input);
	JS_FreeCString(ctx, file);
	return result;
}

/* probeSyscall(name) -> [ret, errno]: the probe's `syscall` for one name (unknown: a TypeError). */
NATIVE(n_probe_syscall)
{
	UNUSED;
	const char *name = JS_ToCString(ctx, argv[0]);
	if (!name)
		return JS_EXCEPTION;
	const struct probe *p = find(name);
	if (!p) {
		JSValue r = JS_ThrowTypeError(ctx, "unknown syscall '%s'", name);
		JS_FreeCString(ctx, name);
		return r;
	}
	JS_FreeCString(ctx, name);
	errno = 0;
	long ret = p->call();
	int e = ret == -1 ? errno : 0;
	JSValue r = JS_NewArray(ctx);
	JS_SetPropertyUint32(ctx, r, 0, JS_NewInt64(ctx, ret));
	JS_SetPropertyUint32(ctx, r, 1, JS_NewInt32(ctx, e));
	return r;
}

/* probeCpu() -> [name, 0 | 1][]: the probe's `cpu`. */
NATIVE(n_probe_cpu)
{
	UNUSED;
	(void)argv;
	struct cpu_feature f[CPU_FEATURES];
	cpu_features(f);
	JSValue r = JS_NewArray(ctx);
	for (uint32_t i = 0; i < CPU_FEATURES; i++) {
		JSValue e = JS_NewArray(ctx);
		JS_SetPropertyUint32(ctx, e, 0, JS_NewString(ctx, f[i].name));
		JS_SetPropertyUint32(ctx, e, 1, JS_NewInt32(ctx, f[i].on));
		JS_SetPropertyUint32(ctx, r, i, e);
	}
	return r;
}

/* probeFileCaps(paths) -> [path, errno][]: errno 0 for a file with security.capability; files without are left out. */
NATIVE(n_probe_fcaps)
{
	UNUSED;
	int64_t len;
	if (JS_GetLength(ctx, argv[0], &len))
		return JS_EXCEPTION;
	JSValue r = JS_NewArray(ctx);
	uint32_t n = 0;
	for (int64_t i = 0; i < len; i++) {
		JSValue v = JS_GetPropertyUint32(ctx, argv[0], (uint32_t)i);
		const char *path = JS_ToCString(ctx, v);
		JS_FreeValue(ctx, v);
		if (!path) {
			JS_FreeValue(ctx, r);
			return JS_EXCEPTION;
		}
		int st = fcap_state(path);
		if (st != 0) {
			JSValue e = JS_NewArray(ctx);
			JS_SetPropertyUint32(ctx, e, 0, JS_NewString(ctx, path));
			JS_SetPropertyUint32(ctx, e, 1, JS_NewInt32(ctx, st > 0 ? 0 : errno));
			JS_SetPropertyUint32(ctx, r, n++, e);
		}
		JS_FreeCString(ctx, path);
	}
	return r;
}

/* utf8Decode(u8) -> string (invalid sequences become U+FFFD, as Buffer.toString does). */
NATIVE(n_utf8_decode)
{
	UNUSED;
	size_t size;
	uint8_t *buf = JS_GetUint8Array(ctx, &size, argv[0]);
	return buf ? JS_NewStringLen(ctx, (const char *)buf, size) : JS_EXCEPTION;
}

NATIVE(n_utf8_encode)
{
	UNUSED;
	size_t len;
	const char *s = JS_ToCStringLen(ctx, &len, argv[0]);
	if (!s)
		return JS_EXCEPTION;
	JSValue r = JS_NewArrayBufferCopy(ctx, (const uint8_t *)s, len);
	JS_FreeCString(ctx, s);
	return r;
}

/* An incremental sha256: the state lives in an ArrayBuffer the caller keeps. */
NATIVE(n_sha256_new)
{
	UNUSED;
	(void)argv;
	struct sha256 s;
	sha256_init(&s);
	return JS_NewArrayBufferCopy(ctx, (const uint8_t *)&s, sizeof(s));
}

NATIVE(n_sha256_update)
{
	UNUSED;
	size_t ssize, size;
	uint8_t *state = JS_GetArrayBuffer(ctx, &ssize, argv[0]);
	uint8_t *buf = JS_GetUint8Array(ctx, &size, argv[1]);
	if (!state || ssize != sizeof(struct sha256) || !buf)
		return JS_EXCEPTION;
	sha256_update((struct sha256 *)state, buf, size);
	return JS_UNDEFINED;
}

NATIVE(n_sha256_hex)
{
	UNUSED;
	size_t ssize;
	uint8_t *state = JS_GetArrayBuffer(ctx, &ssize, argv[0]);
	if (!state || ssize != sizeof(struct sha256))
		return JS_EXCEPTION;
	uint8_t digest[32];
	char hex[65];
	sha256_final((struct sha256 *)state, digest);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return JS_NewStringLen(ctx, hex, 64);
}

NATIVE(n_clock_ms) { UNUSED; (void)argv; return JS_NewFloat64(ctx, clock_ms()); }
NATIVE(n_getpid) { UNUSED; (void)argv; return JS_NewInt32(ctx, getpid()); }

static const JSCFunctionListEntry natives[] = {
	JS_CFUNC_DEF("open", 3, n_open),
	JS_CFUNC_DEF("close", 1, n_close),
	JS_CFUNC_DEF("read", 5, n_read),
	JS_CFUNC_DEF("write", 2, n_write),
	JS_CFUNC_DEF("stat", 1, n_stat),
	JS_CFUNC_DEF("lstat", 1, n_lstat),
	JS_CFUNC_DEF("fstat", 1, n_fstat),
	JS_CFUNC_DEF("readdir", 1, n_readdir),
	JS_CFUNC_DEF("readFile", 2, n_read_file),
	JS_CFUNC_DEF("readlink", 1, n_readlink),
	JS_CFUNC_DEF("statfsType", 1, n_statfs_type),
	JS_CFUNC_DEF("mkdtemp", 1, n_mkdtemp),
	JS_CFUNC_DEF("unlink", 1, n_unlink),
	JS_CFUNC_DEF("rmdir", 1, n_rmdir),
	JS_CFUNC_DEF("walk", 2, n_walk),
	JS_CFUNC_DEF("spawnSync", 4, n_spawn),
	JS_CFUNC_DEF("probeSyscall", 1, n_probe_syscall),
	JS_CFUNC_DEF("probeCpu", 0, n_probe_cpu),
	JS_CFUNC_DEF("probeFileCaps", 1, n_probe_fcaps),
	JS_CFUNC_DEF("utf8Decode", 1, n_utf8_decode),
	JS_CFUNC_DEF("utf8Encode", 1, n_utf8_encode),
	JS_CFUNC_DEF("sha256New", 0, n_sha256_new),
	JS_CFUNC_DEF("sha256Update", 2, n_sha256_update),
	JS_CFUNC_DEF("sha256Hex", 1, n_sha256_hex),
	JS_CFUNC_DEF("clockMs", 0, n_clock_ms),
	JS_CFUNC_DEF("getpid", 0, n_getpid),
};

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap ? cap * 2 : 262144;
			uint8_t *b = realloc(buf, cap + 1);
			if (!b) {
				free(buf), fclose(f);
				return NULL;
			}
			buf = b;
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[*len] = 0;
	return buf;
}

/*
 * The engine's allocator. QuickJS carves its small objects out of 4 KiB arenas of its own and
 * asks here for those and for every larger block; musl's malloc maps and unmaps memory as its
 * groups fill and empty (the doctor's --help: 81 mmap and 38 munmap calls, where glibc's brk
 * heap made 11 brk calls), and each fresh mapping faults its pages in again: slow under
 * emulation. So blocks up to 64 KiB are carved from 1 MiB mappings in size classes (four per
 * power of two: at most 25% waste) and a freed block waits on its class's list for the next;
 * nothing goes back to the system (the run is short and exits without teardown). Larger
 * blocks are malloc's. One thread, as the runtime.
 */
#define POOL_CHUNK ((size_t)1 << 20)
#define POOL_MAX ((size_t)1 << 16)
#define POOL_CLASSES 44
/* 16 bytes keep the caller's block 16-aligned. size: the usable size; large: malloc's block. */
struct pool_head {
	size_t size, large;
};
static struct pool_free {
	struct pool_free *next;
} *pool_free[POOL_CLASSES];
static uint8_t *pool_at, *pool_end;

/* The size class of n (0..POOL_MAX): its index, its size in *size. */
static int pool_class(size_t n, size_t *size)
{
	if (n <= 128) {
		*size = n ? (n + 15) & ~(size_t)15 : 16;
		return (int)(*size / 16) - 1;
	}
	int p = 63 - __builtin_clzll((unsigned long long)(n - 1)); /* 2^p < n <= 2^(p+1), p >= 7 */
	size_t step = (size_t)1 << (p - 2), k = (n - 1 - ((size_t)1 << p)) / step;
	*size = ((size_t)1 << p) + (k + 1) * step;
	return 8 + (p - 7) * 4 + (int)k;
}

static void *pool_malloc(void *opaque, size_t n)
{
	(void)opaque;
	struct pool_head *h;
	if (n > POOL_MAX) {
		if (!(h = malloc(sizeof(*h) + n)))
			return NULL;
		*h = (struct pool_head){ n, 1 };
		return h + 1;
	}
	size_t size;
	int c = pool_class(n, &size);
	if (pool_free[c]) {
		h = (struct pool_head *)pool_free[c] - 1;
		pool_free[c] = pool_free[c]->next;
		return h + 1;
	}
	if ((size_t)(pool_end - pool_at) < sizeof(*h) + size) {
		void *m = mmap(NULL, POOL_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		pool_at = m, pool_end = pool_at + POOL_CHUNK;
	}
	h = (struct pool_head *)pool_at;
	pool_at += sizeof(*h) + size;
	*h = (struct pool_head){ size, 0 };
	return h + 1;
}

static void pool_release(void *opaque, void *ptr)
{
	(void)opaque;
	if (!ptr)
		return;
	struct pool_head *h = (struct pool_head *)ptr - 1;
	if (h->large) {
		free(h);
		return;
	}
	size_t size;
	struct pool_free *f = ptr;
	int c = pool_class(h->size, &size);
	f->next = pool_free[c], pool_free[c] = f;
}

static size_t pool_usable_size(const void *ptr)
{
	return ptr ? ((const struct pool_head *)ptr - 1)->size : 0;
}

static void *pool_calloc(void *opaque, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	void *p = pool_malloc(opaque, count * size);
	return p ? memset(p, 0, count * size) : NULL;
}

static void *pool_realloc(void *opaque, void *ptr, size_t n)
{
	if (!ptr)
		return pool_malloc(opaque, n);
	struct pool_head *h = (struct pool_head *)ptr - 1;
	if (h->large && n > POOL_MAX) {
		if (!(h = realloc(h, sizeof(*h) + n)))
			return NULL;
		h->size = n;
		return h + 1;
	}
	if (!h->large && n <= h->size)
		return ptr;
	void *p = pool_malloc(opaque, n);
	if (p) {
		memcpy(p, ptr, h->size < n ? h->size : n);
		pool_release(opaque, ptr);
	}
	return p;
}

static const JSMallocFunctions pool = { pool_calloc, pool_malloc, pool_release, pool_realloc, pool_usable_size };

static void print_exception(JSContext *ctx, const char *what)
{
	JSValue e = JS_GetException(ctx);
	const char *s = JS_ToCString(ctx, e);
	JSValue stack = JS_IsError(e) ? JS_GetPropertyStr(ctx, e, "stack") : JS_UNDEFINED;
	const char *st = JS_IsUndefined(stack) ? NULL : JS_ToCString(ctx, stack);
	fprintf(stderr, "capsem-doctor-rt: %s: %s\n%s", what, s ? s : "(unprintable)", st ? st : "");
	JS_FreeCString(ctx, s);
	if (st)
		JS_FreeCString(ctx, st);
	JS_FreeValue(ctx, stack);
	JS_FreeValue(ctx, e);
}

#ifdef CAPSEM_DOCTOR_COMPILER
/* The host's build only (build.sh ... compiler): the image's runtime has no parser (see new_context). */
static int compile(const char *in, const char *out)
{
	size_t len, blen;
	uint8_t *src = read_all(in, &len);
	if (!src) {
		fprintf(stderr, "capsem-doctor-rt: %s: %s\n", in, strerror(errno));
		return 2;
	}
	JSRuntime *rt = JS_NewRuntime2(&pool, NULL);
	JSContext *ctx = JS_NewContext(rt);
	JSValue fn = JS_Eval(ctx, (const char *)src, len, in, JS_EVAL_TYPE_GLOBAL | JS_EVAL_FLAG_COMPILE_ONLY | JS_EVAL_FLAG_STRICT);
	if (JS_IsException(fn)) {
		print_exception(ctx, in);
		return 1;
	}
	/* No source text in the image: a stack trace keeps function names and lines. */
	uint8_t *bc = JS_WriteObject(ctx, &blen, fn, JS_WRITE_OBJ_BYTECODE | JS_WRITE_OBJ_STRIP_SOURCE);
	FILE *f = fopen(out, "wb");
	if (!bc || !f || fwrite(bc, 1, blen, f) != blen || fclose(f)) {
		fprintf(stderr, "capsem-doctor-rt: %s: cannot write the bytecode\n", out);
		return 1;
	}
	js_free(ctx, bc);
	JS_FreeValue(ctx, fn);
	JS_FreeContext(ctx);
	JS_FreeRuntime(rt);
	free(src);
	return 0;
}
#define USAGE "usage: capsem-doctor-rt BYTECODE [args] | capsem-doctor-rt --compile IN.js OUT\n"
#else
#define USAGE "usage: capsem-doctor-rt BYTECODE [args]\n"
#endif

/*
 * The image's runtime runs bytecode compiled on the host and nothing else: its
 * context has every intrinsic but Eval, so eval() and new Function() throw,
 * and with nothing calling the parser the linker drops it (--gc-sections: 1.21 ->
 * 0.93 MB on x86_64, 1.14 -> 0.90 MB on arm64, which the doctor hashes on every boot).
 */
static JSContext *new_context(JSRuntime *rt)
{
#ifdef CAPSEM_DOCTOR_COMPILER
	return JS_NewContext(rt);
#else
	JSContext *ctx = JS_NewContextRaw(rt);
	if (!ctx || JS_AddIntrinsicBaseObjects(ctx) || JS_AddIntrinsicDate(ctx) || JS_AddIntrinsicRegExp(ctx) ||
	    JS_AddIntrinsicJSON(ctx) || JS_AddIntrinsicProxy(ctx) || JS_AddIntrinsicMapSet(ctx) ||
	    JS_AddIntrinsicTypedArrays(ctx) || JS_AddIntrinsicPromise(ctx) || JS_AddIntrinsicWeakRef(ctx) ||
	    JS_AddIntrinsicAToB(ctx) || JS_AddPerformance(ctx))
		return NULL;
	return ctx;
#endif
}

int main(int argc, char **argv)
{
	double start = clock_ms();
	protect_relro();
#ifdef CAPSEM_DOCTOR_COMPILER
	if (argc == 4 && strcmp(argv[1], "--compile") == 0)
		return compile(argv[2], argv[3]);
#endif
	if (argc < 2 || argv[1][0] == '-') {
		fputs(USAGE, stderr);
		return 2;
	}
	size_t len;
	uint8_t *bc = read_all(argv[1], &len);
	if (!bc) {
		fprintf(stderr, "capsem-doctor-rt: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	JSRuntime *rt = JS_NewRuntime2(&pool, NULL);
	/* A short run that exits without teardown: reference counting frees what it can, and
	 * the cycle collector (from 256 KiB allocated, by default) only walks the heap again
	 * (measured on a fixture run under callgrind: 1.8% fewer instructions without it). */
	JS_SetGCThreshold(rt, (size_t)256 << 20);
	JSContext *ctx = new_context(rt);
	if (!ctx) {
		fputs("capsem-doctor-rt: cannot create the JavaScript context\n", stderr);
		return 70;
	}
	JSValue global = JS_GetGlobalObject(ctx);
	JSValue native = JS_NewObject(ctx);
	JS_SetPropertyFunctionList(ctx, native, natives, COUNT(natives));
	JSValue args = JS_NewArray(ctx);
	for (int i = 0; i < argc; i++)
		JS_SetPropertyUint32(ctx, args, i, JS_NewString(ctx, argv[i]));
	JS_SetPropertyStr(ctx, native, "argv", args);
	JSValue errs = JS_NewObject(ctx);
	for (size_t i = 0; i < COUNT(errnos); i++)
		JS_SetPropertyStr(ctx, errs, errnos[i].name, JS_NewInt32(ctx, errnos[i].n));
	JS_SetPropertyStr(ctx, native, "errno", errs);
#if defined(__x86_64__)
	JS_SetPropertyStr(ctx, native, "arch", JS_NewString(ctx, "x64"));
#elif defined(__aarch64__)
	JS_SetPropertyStr(ctx, native, "arch", JS_NewString(ctx, "arm64"));
#endif
	JS_SetPropertyStr(ctx, native, "O_NONBLOCK", JS_NewInt32(ctx, O_NONBLOCK));
	JS_SetPropertyStr(ctx, global, "__capsemNative", native);
	JS_SetPropertyStr(ctx, global, "__capsemProcessStartMs", JS_NewFloat64(ctx, start));
	JS_FreeValue(ctx, global);

	int code = 70;
	JSValue fn = JS_ReadObject(ctx, bc, len, JS_READ_OBJ_BYTECODE);
	JSValue r = JS_IsException(fn) ? fn : JS_EvalFunction(ctx, fn);
	if (JS_IsException(r)) {
		print_exception(ctx, argv[1]);
	} else {
		JSContext *c;
		while (JS_ExecutePendingJob(rt, &c) > 0)
			;
		/* The shims' process.exitCode. */
		JSValue g = JS_GetGlobalObject(ctx);
		JSValue proc = JS_GetPropertyStr(ctx, g, "process");
		JSValue ec = JS_GetPropertyStr(ctx, proc, "exitCode");
		int32_t n = 0;
		code = JS_IsUndefined(ec) || JS_ToInt32(ctx, &n, ec) ? 0 : n;
		JS_FreeValue(ctx, ec), JS_FreeValue(ctx, proc), JS_FreeValue(ctx, g);
	}
	JS_FreeValue(ctx, r);
	/* No teardown: the process ends here, and the kernel frees everything at once. */
	fflush(NULL);
	_exit(code);
}
