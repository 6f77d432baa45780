/*
 * The Debian zone image (see runtime.h): debootstrap from the mirror apt
 * uses, systemd as init, kept as one tarball per release and build date
 * in the image cache, so that the next install unpacks it instead of
 * running debootstrap again.
 *
 * A cache entry is complete or absent: the tree is built in a
 * .build-* directory and packed into a .tmp-* file, which is renamed to
 * its name only once written and synced; what a killed build leaves has
 * a dot name that no lookup takes, and the next build of that release
 * removes it.  Builds of one release are serialized by a lock file.
 */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What debootstrap adds to the minimal base: systemd as /sbin/init, and
 * the library the apt hook needs beyond libc (json-c). */
#define DEBIAN_INCLUDE "systemd-sysv,libjson-c5"

static bool
release_ok(const char *r)
{
	size_t n = strlen(r);

	if (n == 0 || n > 32 || r[0] < 'a' || r[0] > 'z')
		return false;
	return strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* A URI for a command line: a scheme debootstrap knows, no blanks, no
 * quoting characters. */
static bool
uri_ok(const char *u)
{
	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0 && strncmp(u, "file:///", 8) != 0)
		return false;
	return strlen(u) < 512 && strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789:/._~+-%@") == strlen(u);
}

/* The archive (not -security, not -updates) among a line's URIs. */
static bool
is_main_archive(const char *u)
{
	size_t n = strlen(u);

	while (n > 0 && u[n - 1] == '/')
		n--;
	return n >= 7 && strncmp(u + n - 7, "/debian", 7) == 0;
}

/* The first main archive URI of one apt source file: one-line ("deb
 * [opts] URI suite ...") or deb822 ("URIs: ..." in a stanza whose Types
 * has deb). */
static char *
mirror_in(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[1024], *found = NULL, *cand = NULL;
	bool deb822 = strlen(path) > 8 && strcmp(path + strlen(path) - 8, ".sources") == 0, types_deb = false;

	if (f == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof(line), f) != NULL) {
		char *save = NULL, *w = strtok_r(line, " \t\r\n", &save);
		if (deb822 && w == NULL) { /* a blank line ends a stanza */
			if (types_deb && cand != NULL)
				found = cand, cand = NULL;
			free(cand);
			cand = NULL;
			types_deb = false;
			continue;
		}
		if (w == NULL || *w == '#')
			continue;
		if (deb822 && strcasecmp(w, "Types:") == 0) {
			for (char *t; (t = strtok_r(NULL, " \t\r\n", &save)) != NULL;)
				types_deb |= strcmp(t, "deb") == 0;
		} else if (deb822 && strcasecmp(w, "URIs:") == 0) {
			for (char *u; cand == NULL && (u = strtok_r(NULL, " \t\r\n", &save)) != NULL;)
				if (is_main_archive(u) && uri_ok(u))
					cand = strdup(u);
		} else if (!deb822 && strcmp(w, "deb") == 0) {
			char *u = strtok_r(NULL, " \t\r\n", &save);
			while (u != NULL && *u == '[' && strchr(u, ']') == NULL)
				u = strtok_r(NULL, " \t\r\n", &save); /* [ opt=x opt=y ] */
			if (u != NULL && *u == '[')
				u = strtok_r(NULL, " \t\r\n", &save);
			if (u != NULL && is_main_archive(u) && uri_ok(u))
				found = strdup(u);
		}
	}
	if (found == NULL && types_deb && cand != NULL)
		found = cand, cand = NULL;
	free(cand);
	fclose(f);
	return found;
}

zbe_err_t
zbe_debian_mirror(zbe_handle_t *h, const char *apt_dir, char **out)
{
	char *path = zbe_asprintf("%s/sources.list", apt_dir), *dir;
	struct dirent **ents = NULL;
	int n;

	*out = path != NULL ? mirror_in(path) : NULL;
	free(path);
	if (*out != NULL)
		return ZBE_OK;
	if ((dir = zbe_asprintf("%s/sources.list.d", apt_dir)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	n = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);
		bool src = (len > 5 && strcmp(name + len - 5, ".list") == 0) ||
		    (len > 8 && strcmp(name + len - 8, ".sources") == 0);
		if (*out == NULL && src && name[0] != '.') {
			char *p = zbe_asprintf("%s/%s", dir, name);
			*out = p != NULL ? mirror_in(p) : NULL;
			free(p);
		}
		free(ents[i]);
	}
	free(ents);
	free(dir);
	if (*out == NULL)
		return zbe_fail(h, ZBE_ENOENT, apt_dir, "no Debian mirror in sources.list or sources.list.d "
		    "(a \"deb\" source whose URI ends in /debian)");
	return ZBE_OK;
}

/* The newest complete entry of release in dir: debian-<release>-<date>.tar.zst */
static char *
newest_entry(const char *dir, const char *release)
{
	char *prefix = zbe_asprintf("debian-%s-", release), *best = NULL;
	DIR *d = prefix != NULL ? opendir(dir) : NULL;

	for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
		size_t pl = strlen(prefix), n = strlen(e->d_name);
		if (strncmp(e->d_name, prefix, pl) != 0 || n != pl + 8 + 8 ||
		    strspn(e->d_name + pl, "0123456789") != 8 || strcmp(e->d_name + pl + 8, ".tar.zst") != 0)
			continue;
		if (best == NULL || strcmp(e->d_name, best) > 0) {
			free(best);
			best = strdup(e->d_name);
		}
	}
	if (d != NULL)
		closedir(d);
	free(prefix);
	return best;
}

/* What a killed build of release left: its dot names. */
static void
sweep(zbe_handle_t *h, const char *dir, const char *release)
{
	char *b = zbe_asprintf(".build-debian-%s-", release), *t = zbe_asprintf(".tmp-debian-%s-", release);
	DIR *d = b != NULL && t != NULL ? opendir(dir) : NULL;

	for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
		char *p = NULL;
		if (strncmp(e->d_name, t, strlen(t)) == 0 && (p = zbe_asprintf("%s/%s", dir, e->d_name)) != NULL) {
			(void)unlink(p);
		} else if (strncmp(e->d_name, b, strlen(b)) == 0 &&
		    (p = zbe_asprintf("%s/%s", dir, e->d_name)) != NULL) {
			const char *argv[] = { "rm", "-rf", "--one-file-system", "--", p, NULL };
			(void)zbe_image_run(h, argv, NULL);
			zbe_log(h, ZBE_LOG_WARN, "image cache: removed %s, left by an interrupted build", p);
		}
		free(p);
	}
	if (d != NULL)
		closedir(d);
	free(b);
	free(t);
}

zbe_err_t
zbe_image_debian(zbe_handle_t *h, const char *cache, const char *release, const char *apt_dir,
    char **out)
{
	char *lockp = NULL, *name = NULL, *build = NULL, *tmp = NULL, *final = NULL, *mirror = NULL;
	zbe_err_t err = ZBE_OK;
	int lfd = -1;

	*out = NULL;
	if (!release_ok(release))
		return zbe_fail(h, ZBE_EINVAL, release, "not a Debian release name ([a-z][a-z0-9-]*, at most 32)");
	if ((err = zbe_mkdir_p(h, cache)) != ZBE_OK)
		return err;
	/* the trees being built hold setuid-root files of the host's ids:
	 * nobody but root may reach them */
	if (chmod(cache, 0700) != 0)
		return zbe_fail(h, ZBE_EIO, cache, "%s", strerror(errno));
	if ((lockp = zbe_asprintf("%s/.lock-debian-%s", cache, release)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if ((lfd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 || flock(lfd, LOCK_EX) < 0) {
		err = zbe_fail(h, ZBE_EIO, lockp, "%s", strerror(errno));
		goto out;
	}
	if ((name = newest_entry(cache, release)) != NULL) {
		*out = zbe_asprintf("%s/%s", cache, name);
		err = *out != NULL ? ZBE_OK : zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	sweep(h, cache, release);
	if ((err = zbe_debian_mirror(h, apt_dir, &mirror)) != ZBE_OK)
		goto out;
	char date[16];
	time_t now = time(NULL);
	struct tm tm;
	strftime(date, sizeof(date), "%Y%m%d", gmtime_r(&now, &tm));
	build = zbe_asprintf("%s/.build-debian-%s-XXXXXX", cache, release);
	tmp = zbe_asprintf("%s/.tmp-debian-%s-%s.tar.zst", cache, release, date);
	final = zbe_asprintf("%s/debian-%s-%s.tar.zst", cache, release, date);
	if (build == NULL || tmp == NULL || final == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	/* mkdtemp's 0700 would be the zone's / (tar keeps the mode of ".") */
	if (mkdtemp(build) == NULL || chmod(build, 0755) != 0) {
		err = zbe_fail(h, ZBE_EIO, build, "%s", strerror(errno));
		goto out;
	}
	zbe_log(h, ZBE_LOG_INFO, "image cache: building debian %s from %s (debootstrap, some minutes)",
	    release, mirror);
	const char *argv[] = { "debootstrap", "--variant=minbase", "--include=" DEBIAN_INCLUDE,
	    release, build, mirror, NULL };
	if ((err = zbe_image_run(h, argv, "E: ")) != ZBE_OK)
		zbe_error_prepend(h, "debian %s from %s", release, mirror);
	/* debootstrap leaves its downloads in the tree: not part of the image */
	if (err == ZBE_OK) {
		char *cached = zbe_asprintf("%s/var/cache/apt/archives", build);
		const char *clean[] = { "find", cached != NULL ? cached : "/nonexistent", "-xdev", "-maxdepth", "1",
		    "-name", "*.deb", "-type", "f", "-delete", NULL };
		err = cached != NULL ? zbe_image_run(h, clean, NULL) : zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		free(cached);
	}
	/* lxc stops a zone with SIGPWR, which systemd only passes to
	 * sigpwr.target: make that halt (as lxc's own debian template does) */
	if (err == ZBE_OK) {
		char *l = zbe_asprintf("%s/etc/systemd/system/sigpwr.target", build);
		if (l == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		else if (symlink("/lib/systemd/system/halt.target", l) != 0 && errno != EEXIST)
			err = zbe_fail(h, ZBE_EIO, l, "%s", strerror(errno));
		free(l);
	}
	if (err == ZBE_OK)
		err = zbe_image_pack(h, build, tmp);
	if (err == ZBE_OK && rename(tmp, final) != 0)
		err = zbe_fail(h, ZBE_EIO, final, "%s", strerror(errno));
	if (err == ZBE_OK) {
		*out = final;
		final = NULL;
	}
	(void)unlink(tmp);
	const char *rm[] = { "rm", "-rf", "--one-file-system", "--", build, NULL };
	(void)zbe_image_run(h, rm, NULL);
out:
	if (lfd >= 0)
		close(lfd);
	free(lockp);
	free(name);
	free(build);
	free(tmp);
	free(final);
	free(mirror);
	return err;
}

/* Open rel (no ".." , relative) beneath rootfd for writing: no symlink
 * on the way or at the end leaves the root. */
static int
create_beneath(int rootfd, const char *rel, mode_t mode)
{
	struct open_how how = {
		.flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		.mode = mode,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
}

zbe_err_t
zbe_image_put(zbe_handle_t *h, const char *root, const char *rel, const char *src, const char *data,
    mode_t mode)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), in = -1, out = -1, e = 0;
	char buf[65536];

	if (rootfd < 0)
		return zbe_fail(h, ZBE_EZONE, root, "%s", strerror(errno));
	/* the parent directories, one by one beneath the root */
	char dirs[4096];
	snprintf(dirs, sizeof(dirs), "%s", rel);
	for (char *s = strchr(dirs, '/'); s != NULL && e == 0; s = strchr(s + 1, '/')) {
		*s = '\0';
		struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
		int fd = (int)syscall(SYS_openat2, rootfd, dirs, &how, sizeof(how));
		if (fd < 0 && errno == ENOENT && mkdirat(rootfd, dirs, 0755) == 0)
			fd = (int)syscall(SYS_openat2, rootfd, dirs, &how, sizeof(how));
		if (fd < 0)
			e = errno;
		else
			close(fd);
		*s = '/';
	}
	if (e == 0 && src != NULL && (in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		e = errno;
	if (e == 0 && (out = create_beneath(rootfd, rel, mode)) < 0)
		e = errno;
	if (e == 0 && data != NULL && write(out, data, strlen(data)) != (ssize_t)strlen(data))
		e = errno != 0 ? errno : EIO;
	for (ssize_t n; e == 0 && in >= 0 && (n = read(in, buf, sizeof(buf))) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, buf, (size_t)n) != n)
			e = errno != 0 ? errno : EIO;
	}
	if (e == 0 && fchmod(out, mode) < 0)
		e = errno;
	if (out >= 0 && close(out) < 0 && e == 0)
		e = errno;
	if (in >= 0)
		close(in);
	close(rootfd);
	if (e != 0)
		return zbe_fail(h, ZBE_EZONE, NULL, "%s/%s: %s", root, rel, strerror(e));
	return ZBE_OK;
}
