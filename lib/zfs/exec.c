/*
 * Spawning zfs and zpool: posix_spawnp with an argv, never a shell.
 * Every command is counted, traced through the log hook (beadm -v), and in
 * a dry run a mutating command is only reported (beadm -n).
 */
#include "zfs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Text of a command line for traces and messages; quotes what needs it. */
static void
render(const char *const argv[], char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; argv[i] != NULL && off < len; i++) {
		const char *a = argv[i];
		bool q = *a == '\0' || strpbrk(a, " \t\n'\"\\$`;&|<>*?") != NULL;
		int n = snprintf(buf + off, len - off, q ? "%s'%s'" : "%s%s", i ? " " : "", a);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

typedef struct sbuf {
	char *p;
	size_t n, cap;
} sbuf_t;

/* 1: read some, 0: end of file or error, -1: out of memory */
static int
sbuf_read(sbuf_t *b, int fd)
{
	char tmp[8192];
	ssize_t r = read(fd, tmp, sizeof(tmp));

	if (r < 0)
		return errno == EINTR || errno == EAGAIN;
	if (r == 0)
		return 0;
	if (b->n + (size_t)r + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16384;
		while (cap < b->n + (size_t)r + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, tmp, (size_t)r);
	b->n += (size_t)r;
	b->p[b->n] = '\0';
	return 1;
}

/* First line of stderr, for the error message. */
static const char *
first_line(sbuf_t *b, char *buf, size_t len)
{
	if (b->p == NULL)
		return "no message";
	snprintf(buf, len, "%.*s", (int)strcspn(b->p, "\n"), b->p);
	return buf;
}

/* Hand the complete lines of b to fn and keep the rest. */
static zbe_err_t
feed_lines(sbuf_t *b, zbe_line_fn *fn, void *arg, bool eof)
{
	zbe_err_t err = ZBE_OK;
	size_t start = 0;

	for (size_t i = 0; i < b->n && err == ZBE_OK; i++) {
		if (b->p[i] == '\n') {
			b->p[i] = '\0';
			err = fn(arg, b->p + start);
			start = i + 1;
		}
	}
	if (eof && err == ZBE_OK && start < b->n) {
		err = fn(arg, b->p + start);
		start = b->n;
	}
	memmove(b->p, b->p + start, b->n - start);
	b->n -= start;
	if (b->p != NULL)
		b->p[b->n] = '\0';
	return err;
}

static zbe_err_t
run(zbe_handle_t *h, zbe_cmd_kind_t kind, const char *const argv[], char **out,
    zbe_line_fn *fn, void *fnarg)
{
	char line[2048], msg[512];
	int opipe[2] = { -1, -1 }, epipe[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	sbuf_t ob = { 0 }, eb = { 0 };
	pid_t pid;
	int rc, status;

	if (out != NULL)
		*out = NULL;
	render(argv, line, sizeof(line));
	if (kind == ZBE_CMD_MUTATE && h->dry_run) {
		zbe_log(h, ZBE_LOG_PLAN, "%s", line);
		return ZBE_OK;
	}
	/* a held signal stops the operation before its next change */
	int sig;
	if (kind == ZBE_CMD_MUTATE && !h->undoing && (sig = zbe_signal_pending(h)) != 0)
		return zbe_fail(h, ZBE_EINTR, line, "not run: interrupted by SIG%s", sigabbrev_np(sig));
	zbe_log(h, ZBE_LOG_TRACE, "%s", line);
	h->ncommands++;

	if (pipe2(opipe, O_CLOEXEC) != 0 || pipe2(epipe, O_CLOEXEC) != 0) {
		if (opipe[0] >= 0) {
			close(opipe[0]);
			close(opipe[1]);
		}
		return zbe_fail(h, ZBE_EIO, argv[0], "pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, opipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, epipe[1], 2);
	/* the child holds the lock too: one that outlives a killed beadm
	 * keeps the next command waiting until it is done */
	if (h->lock_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, h->lock_fd, h->lock_fd);
	/* its own process group: a terminal's Ctrl-C reaches beadm, which
	 * stops at a consistent point, not the zfs command half-way */
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	short spawn_flags = POSIX_SPAWN_SETPGROUP;
	posix_spawnattr_setpgroup(&at, 0);
	if (h->hold_depth > 0) {
		posix_spawnattr_setsigmask(&at, &h->unheld_mask);
		spawn_flags |= POSIX_SPAWN_SETSIGMASK;
	}
	posix_spawnattr_setflags(&at, spawn_flags);
	rc = posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(opipe[1]);
	close(epipe[1]);
	if (rc != 0) {
		close(opipe[0]);
		close(epipe[0]);
		return zbe_fail(h, ZBE_ESPAWN, argv[0], "%s", strerror(rc));
	}

	struct pollfd pfd[2] = { { opipe[0], POLLIN, 0 }, { epipe[0], POLLIN, 0 } };
	bool oom = false;
	zbe_err_t fnerr = ZBE_OK;
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			int r = sbuf_read(i == 0 ? &ob : &eb, pfd[i].fd);
			if (i == 0 && fn != NULL && fnerr == ZBE_OK)
				fnerr = feed_lines(&ob, fn, fnarg, r == 0);
			if (r <= 0) {
				oom |= r < 0;
				close(pfd[i].fd);
				pfd[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	zbe_err_t err = ZBE_OK;
	if (oom || fnerr == ZBE_ENOMEM) {
		err = zbe_fail(h, ZBE_ENOMEM, line, NULL);
	} else if (WIFSIGNALED(status)) {
		err = zbe_fail(h, ZBE_EZFS, line, "killed by signal %d", WTERMSIG(status));
	} else if (WEXITSTATUS(status) == 127 && eb.p == NULL) {
		err = zbe_fail(h, ZBE_ESPAWN, argv[0], "command not found");
	} else if (WEXITSTATUS(status) != 0) {
		err = zbe_fail(h, ZBE_EZFS, line, "%s", first_line(&eb, msg, sizeof(msg)));
	} else if (fnerr != ZBE_OK) {
		err = zbe_fail(h, fnerr, line, "cannot parse the output");
	}
	free(eb.p);
	if (err == ZBE_OK && out != NULL) {
		*out = ob.p != NULL ? ob.p : strdup("");
		if (*out == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, line, NULL);
	} else {
		free(ob.p);
	}
	return err;
}

zbe_err_t
zbe_run(zbe_handle_t *h, zbe_cmd_kind_t kind, const char *const argv[], char **out)
{
	return run(h, kind, argv, out, NULL, NULL);
}

zbe_err_t
zbe_run_lines(zbe_handle_t *h, const char *const argv[], zbe_line_fn *fn, void *arg)
{
	return run(h, ZBE_CMD_READ, argv, NULL, fn, arg);
}

void
zbe_argv_add(zbe_argv_t *a, const char *s)
{
	if (a->oom)
		return;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (v == NULL) {
			a->oom = true;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	if ((a->v[a->n] = strdup(s)) == NULL) {
		a->oom = true;
		return;
	}
	a->v[++a->n] = NULL;
}

void
zbe_argv_addf(zbe_argv_t *a, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		a->oom = true;
		s = NULL;
	}
	va_end(ap);
	if (s != NULL) {
		zbe_argv_add(a, s);
		free(s);
	}
}

void
zbe_argv_free(zbe_argv_t *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

zbe_err_t
zbe_run_argv(zbe_handle_t *h, zbe_cmd_kind_t kind, zbe_argv_t *a, char **out)
{
	zbe_err_t err;

	if (a->oom || a->n == 0)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	else
		err = zbe_run(h, kind, (const char *const *)a->v, out);
	zbe_argv_free(a);
	return err;
}

static zbe_err_t
run_va(zbe_handle_t *h, const char *cmd, zbe_cmd_kind_t kind, char **out, va_list ap)
{
	zbe_argv_t a = { 0 };
	const char *s;

	zbe_argv_add(&a, cmd);
	while ((s = va_arg(ap, const char *)) != NULL)
		zbe_argv_add(&a, s);
	return zbe_run_argv(h, kind, &a, out);
}

zbe_err_t
zbe_zfs(zbe_handle_t *h, zbe_cmd_kind_t kind, char **out, ...)
{
	va_list ap;
	zbe_err_t err;

	va_start(ap, out);
	err = run_va(h, h->conf.zfs, kind, out, ap);
	va_end(ap);
	return err;
}

zbe_err_t
zbe_zpool(zbe_handle_t *h, zbe_cmd_kind_t kind, char **out, ...)
{
	va_list ap;
	zbe_err_t err;

	va_start(ap, out);
	err = run_va(h, h->conf.zpool, kind, out, ap);
	va_end(ap);
	return err;
}
