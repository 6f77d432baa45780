/* zone_image.c - build a minimal busybox-static root image for a zone. */
#include "zone_image.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int fail(char *errbuf, size_t errlen, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
    if (err && n >= 0 && (size_t)n < errlen)
        snprintf(errbuf + n, errlen - (size_t)n, ": %s", strerror(err));
    return -1;
}

/* mkdir -p of `rel` below dirfd (or an absolute path with AT_FDCWD). Existing dirs are kept. */
static int mkdir_p(int dirfd, const char *rel, mode_t mode)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", rel) >= (int)sizeof buf)
        return errno = ENAMETOOLONG, -1;
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdirat(dirfd, buf, mode) < 0 && errno != EEXIST)
            return -1;
        if (!(*p = c))
            return 0;
    }
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n, len -= (size_t)n;
    }
    return 0;
}

/* Create/truncate rel below dirfd.  O_NOFOLLOW so a symlink planted in the image cannot
 * redirect the write onto the host. */
static int create_at(int dirfd, const char *rel, mode_t mode)
{
    return openat(dirfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
}

/* fchmod because umask may have stripped bits; close() is checked because fuse (zfs-fuse)
 * can report deferred write errors there.  Keeps the first error in errno. */
static int finish(int fd, mode_t mode, int err)
{
    if (!err && fchmod(fd, mode) < 0)
        err = errno;
    if (close(fd) < 0 && !err)
        err = errno;
    return err ? (errno = err, -1) : 0;
}

static int write_at(int dirfd, const char *rel, const char *data, mode_t mode)
{
    int fd = create_at(dirfd, rel, mode);
    if (fd < 0)
        return -1;
    return finish(fd, mode, write_all(fd, data, strlen(data)) < 0 ? errno : 0);
}

static int copy_at(const char *src, int dirfd, const char *rel, mode_t mode)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = create_at(dirfd, rel, mode), err = out < 0 ? errno : 0;
    char buf[65536];
    for (ssize_t n; !err && (n = read(in, buf, sizeof buf)) != 0;)
        if ((n < 0 && errno != EINTR) || (n > 0 && write_all(out, buf, (size_t)n) < 0))
            err = errno;
    close(in);
    if (out < 0)
        return errno = err, -1;
    return finish(out, mode, err);
}

/* Run `busybox --list-full` (posix_spawn, no shell) and return its stdout, NUL-terminated. */
static char *busybox_applets(char *errbuf, size_t errlen)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        return fail(errbuf, errlen, errno, "pipe"), NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    char *argv[] = { "busybox", "--list-full", NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, ZBE_IMAGE_BUSYBOX, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        return fail(errbuf, errlen, rc, "spawn %s", ZBE_IMAGE_BUSYBOX), NULL;
    }
    size_t cap = 16384, len = 0;
    char *out = malloc(cap);
    for (ssize_t n = 1; out && n != 0;) {
        if (len + 1 == cap) {
            char *p = realloc(out, cap *= 2);
            if (!p) {
                free(out);
                out = NULL;
                break;
            }
            out = p;
        }
        n = read(pfd[0], out + len, cap - len - 1);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0)
            len += (size_t)n;
    }
    close(pfd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        free(out);
        return fail(errbuf, errlen, 0, "%s --list-full failed", ZBE_IMAGE_BUSYBOX), NULL;
    }
    out[len] = '\0';
    return out;
}

/* One symlink per applet, e.g. usr/bin/env -> ../../bin/busybox.  Relative targets keep
 * the links correct both inside the zone and when the image is inspected from the host. */
static int link_applets(int dfd, char *list, char *errbuf, size_t errlen)
{
    for (char *save = NULL, *rel = strtok_r(list, "\n", &save); rel;
         rel = strtok_r(NULL, "\n", &save)) {
        if (*rel == '/' || strstr(rel, ".."))
            continue; /* never expected; refuse to write outside the image */
        char target[4096] = "";
        for (const char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/'))
            strcat(target, "../");
        strcat(target, "bin/busybox");
        char *slash = strrchr(rel, '/');
        if (slash) {
            *slash = '\0';
            int r = mkdir_p(dfd, rel, 0755);
            *slash = '/';
            if (r < 0)
                return fail(errbuf, errlen, errno, "mkdir for %s", rel);
        }
        if (symlinkat(target, dfd, rel) < 0 && errno != EEXIST)
            return fail(errbuf, errlen, errno, "symlink %s", rel);
    }
    return 0;
}

/* busybox init: no inittab entry touches a tty, so nothing needs a console.  With no
 * respawn entries it just reaps zombies and waits.  lxc's shutdown sends SIGPWR, which
 * busybox init (like SIGUSR1) treats as "halt": run ::shutdown, SIGTERM+SIGKILL
 * everything, then reboot(2) which, in a pid namespace, ends the container. */
static const char INITTAB[] =
    "# zbe minimal zone: no gettys, no tty needed.\n"
    "::shutdown:/bin/sync\n";

static const struct { const char *path, *data; mode_t mode; } FILES[] = {
    { "etc/hostname", "localhost\n", 0644 }, /* placeholder: lxc.uts.name sets the real one */
    { "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", 0644 },
    { "etc/group", "root:x:0:\nnogroup:x:65534:\n", 0644 },
    { "etc/inittab", INITTAB, 0644 },
};

static const struct { const char *path; mode_t mode; } DIRS[] = {
    { "bin", 0755 }, { "sbin", 0755 }, { "usr/bin", 0755 }, { "usr/sbin", 0755 },
    { "etc", 0755 }, { "proc", 0555 }, { "sys", 0555 },    { "dev", 0755 },
    { "tmp", 01777 }, { "root", 0700 }, { "var/run/zbe", 0755 },
};

int zbe_image_build_minimal(const char *dir, const char *extra_bin_src,
                            const char *extra_bin_dst, char *errbuf, size_t errlen)
{
    if (!dir || *dir != '/')
        return fail(errbuf, errlen, 0, "image dir must be an absolute path");
    if (extra_bin_src && (!extra_bin_dst || *extra_bin_dst != '/' || strstr(extra_bin_dst, "..")))
        return fail(errbuf, errlen, 0, "extra_bin_dst must be an absolute path without '..'");
    if (mkdir_p(AT_FDCWD, dir, 0755) < 0)
        return fail(errbuf, errlen, errno, "mkdir %s", dir);
    int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return fail(errbuf, errlen, errno, "open %s", dir);

    int rc = -1;
    char *list = NULL;
    for (size_t i = 0; i < sizeof DIRS / sizeof *DIRS; i++)
        /* chmod explicitly: umask would drop the sticky/world bits of /tmp */
        if (mkdir_p(dfd, DIRS[i].path, 0755) < 0 || fchmodat(dfd, DIRS[i].path, DIRS[i].mode, 0) < 0) {
            fail(errbuf, errlen, errno, "mkdir %s/%s", dir, DIRS[i].path);
            goto out;
        }
    for (size_t i = 0; i < sizeof FILES / sizeof *FILES; i++)
        if (write_at(dfd, FILES[i].path, FILES[i].data, FILES[i].mode) < 0) {
            fail(errbuf, errlen, errno, "write %s/%s", dir, FILES[i].path);
            goto out;
        }
    /* busybox's mount/umount/df read /etc/mtab */
    if (symlinkat("/proc/self/mounts", dfd, "etc/mtab") < 0 && errno != EEXIST) {
        fail(errbuf, errlen, errno, "symlink %s/etc/mtab", dir);
        goto out;
    }
    if (copy_at(ZBE_IMAGE_BUSYBOX, dfd, "bin/busybox", 0755) < 0) {
        fail(errbuf, errlen, errno, "copy %s to %s/bin/busybox", ZBE_IMAGE_BUSYBOX, dir);
        goto out;
    }
    if (!(list = busybox_applets(errbuf, errlen)) || link_applets(dfd, list, errbuf, errlen) < 0)
        goto out;
    /* sbin/init comes from the applet list (busybox has the init applet); make sure. */
    struct stat st;
    if (fstatat(dfd, "sbin/init", &st, 0) < 0) {
        fail(errbuf, errlen, errno, "%s/sbin/init missing after applet links", dir);
        goto out;
    }
    if (extra_bin_src) {
        const char *rel = extra_bin_dst + 1;
        const char *slash = strrchr(rel, '/');
        if (slash) {
            char parent[4096];
            snprintf(parent, sizeof parent, "%.*s", (int)(slash - rel), rel);
            if (mkdir_p(dfd, parent, 0755) < 0) {
                fail(errbuf, errlen, errno, "mkdir %s/%s", dir, parent);
                goto out;
            }
        }
        if (copy_at(extra_bin_src, dfd, rel, 0755) < 0) {
            fail(errbuf, errlen, errno, "copy %s to %s%s", extra_bin_src, dir, extra_bin_dst);
            goto out;
        }
    }
    rc = 0;
out:
    free(list);
    close(dfd);
    return rc;
}
