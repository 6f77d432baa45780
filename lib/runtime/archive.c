/*
 * A root file system archive unpacked into a zone root (see runtime.h).
 *
 * The archive is the zone's, so it is treated as hostile.  GNU tar's
 * defaults already strip a leading "/" from member and link names, skip
 * members whose name holds "..", and extract a symlink whose target is
 * absolute or holds ".." as a placeholder file, made a link only when the
 * rest is written, so that no later member is written through it.  zbe
 * adds: the decompressor is chosen here from the archive's first bytes
 * and spawned with an argv (tar's own -z/-J/--zstd go through sh -c), tar
 * runs in the zone root by descriptor (no path of the host is resolved
 * for it), and --numeric-owner keeps the archive's ids (the host's user
 * names would map them to the host's ids); the caller then shifts them
 * into the zone's range.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* debootstrap's reason comes after many lines of progress */
#define STDERR_KEEP (1u << 20)

typedef struct codec {
	const char *magic;
	size_t len;
	const char *argv[4];
} codec_t;

/* By content, not by name: a .tar.gz that is really xz still unpacks. */
static const codec_t codecs[] = {
	{ "\x1f\x8b", 2, { "gzip", "-dc", NULL } },
	{ "\xfd" "7zXZ\0", 6, { "xz", "-dc", NULL } },
	{ "\x28\xb5\x2f\xfd", 4, { "zstd", "-dcq", NULL } },
	{ "BZh", 3, { "bzip2", "-dc", NULL } },
};

static const char *const tar_argv[] = {
	"tar", "-x", "-f", "-", "--numeric-owner", "--delay-directory-restore", NULL,
};

typedef struct child {
	const char *name;
	pid_t pid;
	int err_fd;    /* read end of its stderr */
	char *msg;     /* its stderr, the first STDERR_KEEP bytes */
	size_t len;
	const char *want; /* the reason is the first line that starts so (NULL: any) */
	int status;
} child_t;

static const codec_t *
codec_of(int fd)
{
	char head[8];
	ssize_t n = pread(fd, head, sizeof(head), 0);

	for (size_t i = 0; n > 0 && i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if ((size_t)n >= codecs[i].len && memcmp(head, codecs[i].magic, codecs[i].len) == 0)
			return &codecs[i];
	return NULL;
}

/* Spawn argv with stdin in_fd, stdout out_fd (-1: /dev/null), its stderr
 * into a pipe of c, in cwd_fd; its own process group, the signals the
 * handle holds unblocked, the lock held (as zbe_run does). */
static int
spawn(zbe_handle_t *h, child_t *c, const char *const argv[], int in_fd, int out_fd, int cwd_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int epipe[2], rc;
	short flags = POSIX_SPAWN_SETPGROUP;

	c->name = argv[0];
	if (pipe2(epipe, O_CLOEXEC) < 0)
		return errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, epipe[1], 2);
	if (h->lock_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, h->lock_fd, h->lock_fd);
	if (cwd_fd >= 0)
		posix_spawn_file_actions_addfchdir_np(&fa, cwd_fd);
	posix_spawnattr_init(&at);
	posix_spawnattr_setpgroup(&at, 0);
	/* a decompressor whose reader (tar) gave up dies of SIGPIPE, quietly,
	 * not with a "broken pipe" that would hide tar's reason */
	sigset_t def;
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigdefault(&at, &def);
	flags |= POSIX_SPAWN_SETSIGDEF;
	if (h->hold_depth > 0) {
		posix_spawnattr_setsigmask(&at, &h->unheld_mask);
		flags |= POSIX_SPAWN_SETSIGMASK;
	}
	posix_spawnattr_setflags(&at, flags);
	rc = posix_spawnp(&c->pid, argv[0], &fa, &at, (char *const *)argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(epipe[1]);
	if (rc != 0) {
		close(epipe[0]);
		c->pid = -1;
		return rc;
	}
	c->err_fd = epipe[0];
	h->ncommands++;
	return 0;
}

/* Read the children's stderr to its end (the first bytes are kept), then
 * reap them. */
static void
collect(child_t *c, size_t n)
{
	struct pollfd pfd[2];

	for (size_t i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = c[i].err_fd, .events = POLLIN };
	for (size_t open = n; open > 0;) {
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			char buf[4096];
			ssize_t r = read(pfd[i].fd, buf, sizeof(buf));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open--;
				continue;
			}
			if (c[i].msg == NULL && (c[i].msg = malloc(STDERR_KEEP + 1)) == NULL)
				continue;
			size_t room = STDERR_KEEP - c[i].len;
			size_t take = (size_t)r < room ? (size_t)r : room;
			memcpy(c[i].msg + c[i].len, buf, take);
			c[i].len += take;
			c[i].msg[c[i].len] = '\0';
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
		while (waitpid(c[i].pid, &c[i].status, 0) < 0 && errno == EINTR)
			;
	}
}

/* Its first line of stderr that says why (tar's notes that it dropped a
 * leading "/" and its closing summary do not), or how it ended. */
static zbe_err_t
child_fail(zbe_handle_t *h, const char *archive, const child_t *c)
{
	const char *first = NULL;

	for (const char *l = c->msg; l != NULL && *l != '\0'; l += strcspn(l, "\n"), l += *l == '\n') {
		if (*l == '\n')
			continue;
		if (first == NULL)
			first = l;
		size_t len = strcspn(l, "\n");
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		if (c->want != NULL ? strncmp(line, c->want, strlen(c->want)) == 0
		    : strstr(line, "Removing leading") == NULL && strstr(line, "Exiting with failure status") == NULL) {
			first = l;
			break;
		}
	}
	if (first != NULL)
		return zbe_fail(h, ZBE_EZONE, archive, "%.*s", (int)strcspn(first, "\n") < 400 ? (int)strcspn(first, "\n") : 400, first);
	if (WIFSIGNALED(c->status))
		return zbe_fail(h, ZBE_EZONE, archive, "%s killed by signal %d", c->name, WTERMSIG(c->status));
	return zbe_fail(h, ZBE_EZONE, archive, "%s exited with status %d", c->name, WEXITSTATUS(c->status));
}

static void
release(child_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].msg);
		c[i].msg = NULL;
	}
}

static bool
failed(const child_t *c)
{
	return !WIFEXITED(c->status) || WEXITSTATUS(c->status) != 0;
}

zbe_err_t
zbe_image_unpack(zbe_handle_t *h, const char *dir, const char *archive)
{
	child_t kids[2] = { { .pid = -1, .err_fd = -1 }, { .pid = -1, .err_fd = -1 } };
	int afd, dfd, data[2] = { -1, -1 }, rc, sig;
	const codec_t *codec;
	struct stat sb;
	size_t n = 0;
	zbe_err_t err;

	if ((sig = zbe_signal_pending(h)) != 0)
		return zbe_fail(h, ZBE_EINTR, archive, "not unpacked: interrupted by SIG%s", sigabbrev_np(sig));
	if ((afd = open(archive, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return zbe_fail(h, ZBE_ENOENT, archive, "%s", strerror(errno));
	if (fstat(afd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(afd);
		return zbe_fail(h, ZBE_EINVAL, archive, "not a regular file");
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err = zbe_fail_sys(h, ZBE_EZONE, errno, "open %s", dir);
		close(afd);
		return err;
	}
	codec = codec_of(afd);
	zbe_log(h, ZBE_LOG_TRACE, "%s%s%s < %s | tar -x -f - --numeric-owner --delay-directory-restore (in %s)",
	    codec != NULL ? codec->argv[0] : "", codec != NULL ? " " : "", codec != NULL ? codec->argv[1] : "",
	    archive, dir);
	rc = 0;
	if (codec != NULL) {
		if (pipe2(data, O_CLOEXEC) < 0)
			rc = errno;
		else if ((rc = spawn(h, &kids[n], codec->argv, afd, data[1], -1)) == 0)
			n++;
		if (data[1] >= 0)
			close(data[1]);
	}
	if (rc == 0 && (rc = spawn(h, &kids[n], tar_argv, codec != NULL ? data[0] : afd, -1, dfd)) == 0)
		n++;
	if (data[0] >= 0)
		close(data[0]);
	close(afd);
	close(dfd);
	if (rc != 0) {
		/* the decompressor, if it started, sees its pipe closed */
		collect(kids, n);
		release(kids, n);
		return zbe_fail(h, ZBE_ESPAWN, codec != NULL && n == 0 ? codec->argv[0] : "tar", "%s", strerror(rc));
	}
	collect(kids, n);
	/* the decompressor's reason first: a truncated .xz is "unexpected
	 * end of input" there and only "unexpected EOF" in tar; one killed by
	 * SIGPIPE died of tar's refusal, which is the reason then */
	err = ZBE_OK;
	if (codec != NULL && WIFEXITED(kids[0].status) && WEXITSTATUS(kids[0].status) != 0)
		err = child_fail(h, archive, &kids[0]);
	else if (failed(&kids[n - 1]))
		err = child_fail(h, archive, &kids[n - 1]);
	else if (codec != NULL && failed(&kids[0]))
		err = child_fail(h, archive, &kids[0]);
	release(kids, n);
	return err;
}

zbe_err_t
zbe_image_pack(zbe_handle_t *h, const char *dir, const char *out)
{
	static const char *const tar_c[] = { "tar", "-c", "-f", "-", "--numeric-owner", "--one-file-system", ".", NULL };
	static const char *const zstd_c[] = { "zstd", "-q", "-T0", "-3", "-c", NULL };
	child_t kids[2] = { { .pid = -1, .err_fd = -1 }, { .pid = -1, .err_fd = -1 } };
	int dfd, ofd, data[2], nul, rc = 0;
	size_t n = 0;
	zbe_err_t err = ZBE_OK;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return zbe_fail_sys(h, ZBE_EIO, errno, "open %s", dir);
	if ((ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		close(dfd);
		return zbe_fail_sys(h, ZBE_EIO, errno, "create %s", out);
	}
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nul < 0 || pipe2(data, O_CLOEXEC) < 0) {
		err = zbe_fail_sys(h, ZBE_EIO, errno, "pipe");
		goto out;
	}
	zbe_log(h, ZBE_LOG_TRACE, "tar -c -f - --numeric-owner --one-file-system . (in %s) | zstd -q -T0 -3 -c > %s", dir, out);
	if ((rc = spawn(h, &kids[n], tar_c, nul, data[1], dfd)) == 0)
		n++;
	close(data[1]);
	if (rc == 0 && (rc = spawn(h, &kids[n], zstd_c, data[0], ofd, -1)) == 0)
		n++;
	close(data[0]);
	collect(kids, n);
	if (rc != 0)
		err = zbe_fail(h, ZBE_ESPAWN, n == 0 ? "tar" : "zstd", "%s", strerror(rc));
	else if (failed(&kids[0]))
		err = child_fail(h, out, &kids[0]);
	else if (failed(&kids[1]))
		err = child_fail(h, out, &kids[1]);
	else if (fsync(ofd) < 0)
		err = zbe_fail_sys(h, ZBE_EIO, errno, "fsync %s", out);
	release(kids, n);
out:
	if (nul >= 0)
		close(nul);
	if (close(ofd) < 0 && err == ZBE_OK)
		err = zbe_fail_sys(h, ZBE_EIO, errno, "close %s", out);
	close(dfd);
	return err;
}

zbe_err_t
zbe_image_run(zbe_handle_t *h, const char *const argv[], const char *want)
{
	child_t c = { .pid = -1, .err_fd = -1, .want = want };
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC), rc;
	zbe_err_t err = ZBE_OK;

	if (nul < 0)
		return zbe_fail_sys(h, ZBE_EIO, errno, "/dev/null");
	zbe_log(h, ZBE_LOG_TRACE, "%s ...", argv[0]);
	rc = spawn(h, &c, argv, nul, -1, -1);
	close(nul);
	if (rc != 0)
		return zbe_fail(h, ZBE_ESPAWN, argv[0], "%s", strerror(rc));
	collect(&c, 1);
	if (failed(&c))
		err = child_fail(h, argv[0], &c);
	release(&c, 1);
	return err;
}
