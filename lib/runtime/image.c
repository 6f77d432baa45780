/* The minimal zone image: busybox-static and what its init needs (see runtime.h). */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* mkdir -p of rel below dirfd; existing directories are kept. */
static int
mkdir_p_at(int dirfd, const char *rel, mode_t mode)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf))
		return errno = ENAMETOOLONG, -1;
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdirat(dirfd, buf, mode) < 0 && errno != EEXIST)
			return -1;
		if ((*p = c) == '\0')
			return 0;
	}
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create or truncate rel below dirfd; O_NOFOLLOW, so that a symlink in the
 * image cannot redirect the write onto the host. */
static int
create_at(int dirfd, const char *rel, mode_t mode)
{
	return openat(dirfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
}

/* fchmod because the umask may have taken bits; close() is checked because
 * a FUSE file system (zfs-fuse) may report a deferred write error there.
 * Keeps the first error in errno. */
static int
finish(int fd, mode_t mode, int err)
{
	if (err == 0 && fchmod(fd, mode) < 0)
		err = errno;
	if (close(fd) < 0 && err == 0)
		err = errno;
	return err != 0 ? (errno = err, -1) : 0;
}

static int
write_at(int dirfd, const char *rel, const char *data, mode_t mode)
{
	int fd = create_at(dirfd, rel, mode);

	if (fd < 0)
		return -1;
	return finish(fd, mode, write_all(fd, data, strlen(data)) < 0 ? errno : 0);
}

static int
copy_at(const char *src, int dirfd, const char *rel, mode_t mode)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out, err;

	if (in < 0)
		return -1;
	out = create_at(dirfd, rel, mode);
	err = out < 0 ? errno : 0;
	for (ssize_t n; err == 0 && (n = read(in, buf, sizeof(buf))) != 0;)
		if ((n < 0 && errno != EINTR) || (n > 0 && write_all(out, buf, (size_t)n) < 0))
			err = errno;
	close(in);
	if (out < 0)
		return errno = err, -1;
	return finish(out, mode, err);
}

/* The output of "busybox --list-full" (spawned with an argv, no shell). */
static zbe_err_t
busybox_applets(zbe_handle_t *h, char **out)
{
	char *argv[] = { "busybox", "--list-full", NULL };
	posix_spawn_file_actions_t fa;
	size_t cap = 16384, len = 0;
	int pfd[2], rc, status;
	pid_t pid;
	char *buf;

	*out = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return zbe_fail_sys(h, ZBE_EZONE, errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	rc = posix_spawn(&pid, ZBE_IMAGE_BUSYBOX, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		return zbe_fail_sys(h, ZBE_EZONE, rc, "spawn %s", ZBE_IMAGE_BUSYBOX);
	}
	buf = malloc(cap);
	for (ssize_t n = 1; buf != NULL && n != 0;) {
		if (len + 1 == cap) {
			char *p = realloc(buf, cap *= 2);
			if (p == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			len += (size_t)n;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (buf == NULL || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(buf);
		return zbe_fail_sys(h, ZBE_EZONE, 0, "%s --list-full failed", ZBE_IMAGE_BUSYBOX);
	}
	buf[len] = '\0';
	*out = buf;
	return ZBE_OK;
}

/* One symlink per applet, e.g. usr/bin/env -> ../../bin/busybox: relative,
 * so the links are right inside the zone and when seen from the host. */
static zbe_err_t
link_applets(zbe_handle_t *h, int dfd, char *list)
{
	for (char *save = NULL, *rel = strtok_r(list, "\n", &save); rel != NULL;
	     rel = strtok_r(NULL, "\n", &save)) {
		if (*rel == '/' || strstr(rel, "..") != NULL)
			continue; /* never expected; nothing is written outside the image */
		char target[4096] = "";
		for (const char *s = strchr(rel, '/'); s != NULL; s = strchr(s + 1, '/'))
			strcat(target, "../");
		strcat(target, "bin/busybox");
		char *slash = strrchr(rel, '/');
		if (slash != NULL) {
			*slash = '\0';
			int r = mkdir_p_at(dfd, rel, 0755);
			*slash = '/';
			if (r < 0)
				return zbe_fail_sys(h, ZBE_EZONE, errno, "mkdir for %s", rel);
		}
		if (symlinkat(target, dfd, rel) < 0 && errno != EEXIST)
			return zbe_fail_sys(h, ZBE_EZONE, errno, "symlink %s", rel);
	}
	return ZBE_OK;
}

/*
 * busybox init: no inittab entry touches a tty, so nothing needs a
 * console; with no respawn entries it just reaps zombies and waits.
 * lxc's shutdown sends SIGPWR, which busybox init (like SIGUSR1) takes as
 * "halt": it runs ::shutdown, SIGTERMs and SIGKILLs everything, then
 * reboot(2), which in a pid namespace ends the container.
 */
static const char inittab[] =
    "# zbe minimal zone: no gettys, no tty needed.\n"
    "::shutdown:/bin/sync\n";

static const struct {
	const char *path, *data;
	mode_t mode;
} files[] = {
	{ "etc/hostname", "localhost\n", 0644 }, /* a placeholder: lxc.uts.name sets the name */
	{ "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
	    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", 0644 },
	{ "etc/group", "root:x:0:\nnogroup:x:65534:\n", 0644 },
	{ "etc/inittab", inittab, 0644 },
};

static const struct {
	const char *path;
	mode_t mode;
} dirs[] = {
	{ "bin", 0755 }, { "sbin", 0755 }, { "usr/bin", 0755 }, { "usr/sbin", 0755 },
	{ "etc", 0755 }, { "proc", 0555 }, { "sys", 0555 }, { "dev", 0755 },
	{ "tmp", 01777 }, { "root", 0700 }, { "var/run/zbe", 0755 },
};

/* Copy the extra binary to its absolute path dst in the image. */
static zbe_err_t
add_extra_bin(zbe_handle_t *h, int dfd, const char *dir, const char *src, const char *dst)
{
	const char *rel = dst + 1, *slash = strrchr(rel, '/');

	if (slash != NULL) {
		char parent[4096];
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - rel), rel);
		if (mkdir_p_at(dfd, parent, 0755) < 0)
			return zbe_fail_sys(h, ZBE_EZONE, errno, "mkdir %s/%s", dir, parent);
	}
	if (copy_at(src, dfd, rel, 0755) < 0)
		return zbe_fail_sys(h, ZBE_EZONE, errno, "copy %s to %s%s", src, dir, dst);
	return ZBE_OK;
}

zbe_err_t
zbe_image_build_minimal(zbe_handle_t *h, const char *dir, const char *extra_bin_src,
    const char *extra_bin_dst)
{
	char *list = NULL;
	struct stat sb;
	zbe_err_t err = ZBE_OK;
	int dfd;

	if (dir == NULL || *dir != '/')
		return zbe_fail_sys(h, ZBE_EZONE, 0, "image dir must be an absolute path");
	if (extra_bin_src != NULL && (extra_bin_dst == NULL || *extra_bin_dst != '/' ||
	    strstr(extra_bin_dst, "..") != NULL))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "extra_bin_dst must be an absolute path without '..'");
	if ((err = zbe_mkdir_p(h, dir)) != ZBE_OK)
		return err;
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return zbe_fail_sys(h, ZBE_EZONE, errno, "open %s", dir);
	for (size_t i = 0; err == ZBE_OK && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		/* chmod explicitly: the umask would drop the sticky and world bits of /tmp */
		if (mkdir_p_at(dfd, dirs[i].path, 0755) < 0 || fchmodat(dfd, dirs[i].path, dirs[i].mode, 0) < 0)
			err = zbe_fail_sys(h, ZBE_EZONE, errno, "mkdir %s/%s", dir, dirs[i].path);
	for (size_t i = 0; err == ZBE_OK && i < sizeof(files) / sizeof(files[0]); i++)
		if (write_at(dfd, files[i].path, files[i].data, files[i].mode) < 0)
			err = zbe_fail_sys(h, ZBE_EZONE, errno, "write %s/%s", dir, files[i].path);
	/* busybox's mount, umount and df read /etc/mtab */
	if (err == ZBE_OK && symlinkat("/proc/self/mounts", dfd, "etc/mtab") < 0 && errno != EEXIST)
		err = zbe_fail_sys(h, ZBE_EZONE, errno, "symlink %s/etc/mtab", dir);
	if (err == ZBE_OK && copy_at(ZBE_IMAGE_BUSYBOX, dfd, "bin/busybox", 0755) < 0)
		err = zbe_fail_sys(h, ZBE_EZONE, errno, "copy %s to %s/bin/busybox", ZBE_IMAGE_BUSYBOX, dir);
	if (err == ZBE_OK && (err = busybox_applets(h, &list)) == ZBE_OK)
		err = link_applets(h, dfd, list);
	/* sbin/init comes from the applet list (busybox has init): make sure */
	if (err == ZBE_OK && fstatat(dfd, "sbin/init", &sb, 0) < 0)
		err = zbe_fail_sys(h, ZBE_EZONE, errno, "%s/sbin/init missing after applet links", dir);
	if (err == ZBE_OK && extra_bin_src != NULL)
		err = add_extra_bin(h, dfd, dir, extra_bin_src, extra_bin_dst);
	free(list);
	close(dfd);
	return err;
}

/* ---- shifting a tree into a zone's ids ---- */

typedef struct shift {
	uint32_t base;
	const uint32_t *others;
	size_t nothers;
	dev_t dev;
	unsigned changed;
} shift_t;

#define SHIFT_MAX_DEPTH 256

/* The id x as the zone's (see runtime.h). */
static uint32_t
shifted(const shift_t *s, uint32_t x)
{
	if (x >= s->base && x - s->base < ZBE_ZONE_IDS)
		return x;
	for (size_t i = 0; i < s->nothers; i++)
		if (x >= s->others[i] && x - s->others[i] < ZBE_ZONE_IDS)
			return s->base + (x - s->others[i]);
	return x < ZBE_ZONE_IDS ? s->base + x : x;
}

/*
 * chown clears the setuid and setgid bits of a file: put the mode back
 * from the stat taken before.  Done on an open descriptor for regular
 * files; device nodes and fifos are never opened (an open may act on the
 * device), and symlinks have no mode.
 */
static int
shift_one(shift_t *s, int dfd, const char *name, const struct stat *sb)
{
	uid_t u = shifted(s, sb->st_uid);
	gid_t g = shifted(s, sb->st_gid);

	if (u == sb->st_uid && g == sb->st_gid)
		return 0;
	s->changed++;
	if (!S_ISREG(sb->st_mode))
		return fchownat(dfd, name, u, g, AT_SYMLINK_NOFOLLOW);
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat now;
	int r = fstat(fd, &now) == 0 && now.st_ino == sb->st_ino && now.st_dev == sb->st_dev ? 0 : (errno = EAGAIN, -1);
	if (r == 0)
		r = fchown(fd, u, g);
	if (r == 0 && (sb->st_mode & (S_ISUID | S_ISGID)))
		r = fchmod(fd, sb->st_mode & 07777);
	int e = errno;
	close(fd);
	return r < 0 ? (errno = e, -1) : 0;
}

/* Every entry below the directory dfd (which is consumed), descriptor by
 * descriptor: O_NOFOLLOW at each step, so no symlink in the tree leads
 * the walk out of it, and no other file system is entered. */
static zbe_err_t
shift_dir(zbe_handle_t *h, shift_t *s, int dfd, const char *path, int depth)
{
	DIR *d = fdopendir(dfd);
	zbe_err_t err = ZBE_OK;
	struct dirent *e;

	if (d == NULL) {
		close(dfd);
		return zbe_fail_sys(h, ZBE_EZONE, errno, "shift ids: %s", path);
	}
	if (depth > SHIFT_MAX_DEPTH) {
		closedir(d);
		return zbe_fail_sys(h, ZBE_EZONE, 0, "shift ids: %s: nested deeper than %d", path, SHIFT_MAX_DEPTH);
	}
	while (err == ZBE_OK && (errno = 0, e = readdir(d)) != NULL) {
		struct stat sb;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			err = zbe_fail_sys(h, ZBE_EZONE, errno, "shift ids: %s/%s", path, e->d_name);
			break;
		}
		if (sb.st_dev != s->dev)
			continue; /* a mount below the tree is not part of it */
		if (S_ISDIR(sb.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			char *subpath = zbe_asprintf("%s/%s", path, e->d_name);
			if (sub < 0 || subpath == NULL) {
				err = zbe_fail_sys(h, ZBE_EZONE, sub < 0 ? errno : ENOMEM, "shift ids: %s/%s", path, e->d_name);
				if (sub >= 0)
					close(sub);
			} else {
				err = shift_dir(h, s, sub, subpath, depth + 1);
			}
			free(subpath);
		}
		if (err == ZBE_OK && shift_one(s, dirfd(d), e->d_name, &sb) < 0)
			err = zbe_fail_sys(h, ZBE_EZONE, errno, "shift ids: chown %s/%s", path, e->d_name);
	}
	if (err == ZBE_OK && errno != 0)
		err = zbe_fail_sys(h, ZBE_EZONE, errno, "shift ids: read %s", path);
	closedir(d);
	return err;
}

zbe_err_t
zbe_image_shift_ids(zbe_handle_t *h, const char *dir, uint32_t base, const uint32_t *others,
    size_t nothers, unsigned *changed)
{
	shift_t s = { .base = base, .others = others, .nothers = nothers };
	struct stat sb;
	zbe_err_t err;

	if (changed != NULL)
		*changed = 0;
	if (base == 0 || base > UINT32_MAX - ZBE_ZONE_IDS)
		return zbe_fail_sys(h, ZBE_EZONE, 0, "shift ids: bad id base %u", (unsigned)base);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &sb) < 0) {
		err = zbe_fail_sys(h, ZBE_EZONE, errno, "shift ids: %s", dir);
		if (dfd >= 0)
			close(dfd);
		return err;
	}
	s.dev = sb.st_dev;
	int top = dup(dfd);
	if (top < 0) {
		close(dfd);
		return zbe_fail_sys(h, ZBE_EZONE, errno, "shift ids: %s", dir);
	}
	err = shift_dir(h, &s, dfd, dir, 0);
	/* the root directory last: it tells boot whether the tree is done */
	if (err == ZBE_OK && (shifted(&s, sb.st_uid) != sb.st_uid || shifted(&s, sb.st_gid) != sb.st_gid)) {
		s.changed++;
		if (fchown(top, shifted(&s, sb.st_uid), shifted(&s, sb.st_gid)) < 0 || fchmod(top, sb.st_mode & 07777) < 0)
			err = zbe_fail_sys(h, ZBE_EZONE, errno, "shift ids: chown %s", dir);
	}
	close(top);
	if (changed != NULL)
		*changed = s.changed;
	return err;
}
