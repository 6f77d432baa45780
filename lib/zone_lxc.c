/* zone_lxc.c - run a zone as an LXC system container on a zfs-fuse mounted root. */
#include "zone_lxc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <lxc/lxccontainer.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ZONE_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SECCOMP_PROFILE "/usr/share/lxc/config/common.seccomp"
#define START_TIMEOUT_S 30

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

/* Names become directory names, hostnames and config values: keep them boring. */
static int valid_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 63 || name[0] == '.' || name[0] == '-')
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* Paths end up in lxc config lines; whitespace would split lxc.mount.entry fields and a
 * newline would inject extra keys into the saved config. */
static int valid_path(const char *p)
{
    return p && p[0] == '/' && !strpbrk(p, " \t\n\r\\");
}

/* lxc runs hooks with sh -c: only plain words, single spaces, an absolute command. */
static int valid_hook(const char *h)
{
    if (!h || h[0] != '/' || strstr(h, "  ") || h[strlen(h) - 1] == ' ')
        return 0;
    return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+- ") == strlen(h);
}

/* Container object for name/lxcpath, or NULL. Caller: lxc_container_put(). */
static struct lxc_container *container(const char *name, const char *lxcpath,
                                       char *errbuf, size_t errlen)
{
    if (!valid_name(name) || !valid_path(lxcpath)) {
        fail(errbuf, errlen, 0, "invalid zone name or lxcpath");
        return NULL;
    }
    struct lxc_container *c = lxc_container_new(name, lxcpath);
    if (!c)
        fail(errbuf, errlen, 0, "lxc_container_new(%s, %s) failed", name, lxcpath);
    return c;
}

static int open_in_root(int rootfd, const char *path)
{
    /* RESOLVE_IN_ROOT: resolve absolute symlinks and ".." as the zone will see them
     * (e.g. /sbin/init -> /bin/busybox), never escaping to the host's files. */
    struct open_how how = { .flags = O_RDONLY | O_CLOEXEC,
                            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
    return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* The zone's init must exist and be executable; a missing init would otherwise only show
 * up as a container that dies right after start with an error buried in the lxc log. */
static int check_exec(int rootfd, const char *rootfs, const char *path, int depth,
                      char *errbuf, size_t errlen)
{
    int fd = open_in_root(rootfd, path);
    if (fd < 0)
        return fail(errbuf, errlen, errno, "%s %s not found in zone root %s",
                    depth ? "interpreter" : "init", path, rootfs);
    struct stat st;
    char hdr[256] = "";
    ssize_t n = fstat(fd, &st) == 0 ? pread(fd, hdr, sizeof hdr - 1, 0) : -1;
    close(fd);
    if (n < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
        return fail(errbuf, errlen, 0, "%s %s in zone root %s is not an executable file",
                    depth ? "interpreter" : "init", path, rootfs);
    if (depth == 0 && n > 2 && hdr[0] == '#' && hdr[1] == '!') {
        hdr[n] = '\0';
        char *interp = hdr + 2 + strspn(hdr + 2, " \t");
        interp[strcspn(interp, " \t\r\n")] = '\0';
        if (*interp != '/')
            return fail(errbuf, errlen, 0, "init %s: bad #! line", path);
        return check_exec(rootfd, rootfs, interp, 1, errbuf, errlen);
    }
    return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return errno = ENAMETOOLONG, -1;
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return -1;
        if (!(*p = c))
            return 0;
    }
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

/* rm -r <lxcpath>/<name>: only lxc's own files live there (config, logs).
 * FTW_PHYS: never follow symlinks; FTW_MOUNT: never descend into another filesystem. */
static int remove_container_dir(const char *name, const char *lxcpath, char *errbuf, size_t errlen)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", lxcpath, name);
    if (access(dir, F_OK) < 0 && errno == ENOENT)
        return 0;
    if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
        return fail(errbuf, errlen, errno, "cannot remove %s", dir);
    return 0;
}

/* Append the first ERROR line of the container's lxc log (usually the root cause). */
static void append_log_error(const char *logpath, char *errbuf, size_t errlen)
{
    FILE *f = fopen(logpath, "re");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *e = strstr(line, " ERROR ");
        if (!e)
            continue;
        line[strcspn(line, "\n")] = '\0';
        e += strspn(e + 6, " ") + 6; /* skip " ERROR" and the column padding */
        size_t used = strlen(errbuf);
        if (used < errlen)
            snprintf(errbuf + used, errlen - used, " (lxc: %s)", e);
        break;
    }
    fclose(f);
}

/* Host side of the propagation setup.  liblxc gives the container a new mount namespace
 * whose mounts are dependent (slave) copies of the host's, and bind-mounts the rootfs
 * recursively from there; a bind of a slave is again a slave of the same peer group.  So
 * once the rootfs mount is shared on the host, a dataset the host mounts later at
 * <rootfs>/a propagates into the zone at /a (and so does its unmount), while nothing the
 * zone mounts propagates back (measured: the zone's / shows "shared:2 master:1").
 * MS_REC so that datasets already mounted below the root behave alike.  We require the
 * rootfs to be a mount point instead of bind-mounting it onto itself: MS_SHARED on a
 * non-mount-point fails (EINVAL) anyway, and a self-bind would be one more host mount to
 * track and undo at stop.  The shared flag is left in place at stop (harmless; the
 * mount belongs to the caller, who unmounts it). */
int zbe_lxc_make_shared(const char *rootfs, char *errbuf, size_t errlen)
{
    struct statx stx;
    if (statx(AT_FDCWD, rootfs, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
        return fail(errbuf, errlen, errno, "zone root %s", rootfs);
    if (!S_ISDIR(stx.stx_mode))
        return fail(errbuf, errlen, 0, "zone root %s is not a directory", rootfs);
    if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
        !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
        return fail(errbuf, errlen, 0, "zone root %s is not a mount point", rootfs);
    if (mount(NULL, rootfs, NULL, MS_SHARED | MS_REC, NULL) < 0)
        return fail(errbuf, errlen, errno, "make %s shared", rootfs);
    return 0;
}

/* liblxc 5.0.2 moves the process calling start() (its "transient" pid) into the new
 * lxc.monitor.<name> cgroup of every hierarchy and leaves it there: the caller would end
 * up in the last zone's monitor cgroup, which the monitor then cannot rmdir (EBUSY), so one
 * cgroup per start leaked.  Calling start() in a short-lived child avoids both. */
static int start_in_child(struct lxc_container *c)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(c->start(c, 0, NULL) ? 0 : 1);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int zbe_lxc_start(const struct zbe_lxc_spec *s, char *errbuf, size_t errlen)
{
    if (!s || !valid_path(s->rootfs) || !valid_path(s->init))
        return fail(errbuf, errlen, 0, "zone spec: rootfs and init must be absolute paths without whitespace");
    if (!s->sockdir_host != !s->sockdir_zone ||
        (s->sockdir_host && (!valid_path(s->sockdir_host) || !valid_path(s->sockdir_zone))))
        return fail(errbuf, errlen, 0, "zone spec: sockdir_host/sockdir_zone must both be absolute paths or both NULL");
    if (s->prestart_hook && !valid_hook(s->prestart_hook))
        return fail(errbuf, errlen, 0, "zone spec: pre-start hook must be an absolute command of plain words");
    if (s->sockdir_host) {
        struct stat st;
        if (stat(s->sockdir_host, &st) < 0 || !S_ISDIR(st.st_mode))
            return fail(errbuf, errlen, errno, "socket dir %s", s->sockdir_host);
    }
    int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return fail(errbuf, errlen, errno, "zone root %s", s->rootfs);
    int rc = check_exec(rootfd, s->rootfs, s->init, 0, errbuf, errlen);
    close(rootfd);
    if (rc < 0)
        return -1;

    struct lxc_container *c = container(s->name, s->lxcpath, errbuf, errlen);
    if (!c)
        return -1;
    if (c->is_running(c)) {
        lxc_container_put(c);
        return fail(errbuf, errlen, 0, "zone %s is already running", s->name);
    }
    lxc_container_put(c); /* drop any stale definition (crash) before writing ours */
    if (remove_container_dir(s->name, s->lxcpath, errbuf, errlen) < 0)
        return -1;

    char dir[4096], logfile[4200], conslog[4200], rootval[4200], mnt[8400];
    snprintf(dir, sizeof dir, "%s/%s", s->lxcpath, s->name);
    snprintf(logfile, sizeof logfile, "%s/lxc.log", dir);
    snprintf(conslog, sizeof conslog, "%s/console.log", dir);
    snprintf(rootval, sizeof rootval, "dir:%s", s->rootfs);
    if (s->sockdir_host)   /* target relative to the rootfs; create=dir makes it if missing */
        snprintf(mnt, sizeof mnt, "%s %s none bind,create=dir 0 0", s->sockdir_host, s->sockdir_zone + 1);
    if (mkdir_p(s->lxcpath, 0755) < 0 || mkdir(dir, 0700) < 0)
        return fail(errbuf, errlen, errno, "mkdir %s", dir);
    if (!(c = container(s->name, s->lxcpath, errbuf, errlen)))
        goto fail_dir;

    const struct { const char *key, *val; } cfg[] = {
        { "lxc.log.file", logfile },          /* first: later errors get logged there */
        { "lxc.log.level", "WARN" },
        { "lxc.uts.name", s->name },
        { "lxc.rootfs.path", rootval },
        { "lxc.init.cmd", s->init },
        { "lxc.net.0.type", "empty" },        /* own netns with only lo */
        { "lxc.apparmor.profile", "unconfined" },
        { "lxc.autodev", "1" },               /* tmpfs /dev with null, zero, tty, ... only */
        { "lxc.mount.auto", "proc:mixed sys:ro" },
        { "lxc.tty.max", "0" },               /* no gettys: init needs no tty */
        { "lxc.pty.max", "16" },              /* private devpts instance for the zone */
        { "lxc.console.logfile", conslog },   /* init's console output, for debugging */
        { "lxc.console.size", "auto" },       /* ... capped at 128KB */
        /* privileged container: at least keep the zone from loading modules, setting the
         * clock, raw I/O and touching LSM policy (lxc's common.conf list) */
        { "lxc.cap.drop", "mac_admin mac_override sys_time sys_module sys_rawio" },
        /* device cgroup (lxc's common.conf list minus 10:229 /dev/fuse: the zone has no
         * business talking to fuse, zfs-fuse's transport) */
        { "lxc.cgroup.devices.deny", "a" },
        { "lxc.cgroup.devices.allow", "c *:* m" },
        { "lxc.cgroup.devices.allow", "b *:* m" },
        { "lxc.cgroup.devices.allow", "c 1:3 rwm" },  /* null */
        { "lxc.cgroup.devices.allow", "c 1:5 rwm" },  /* zero */
        { "lxc.cgroup.devices.allow", "c 1:7 rwm" },  /* full */
        { "lxc.cgroup.devices.allow", "c 1:8 rwm" },  /* random */
        { "lxc.cgroup.devices.allow", "c 1:9 rwm" },  /* urandom */
        { "lxc.cgroup.devices.allow", "c 5:0 rwm" },  /* tty */
        { "lxc.cgroup.devices.allow", "c 5:1 rwm" },  /* console */
        { "lxc.cgroup.devices.allow", "c 5:2 rwm" },  /* ptmx */
        { "lxc.cgroup.devices.allow", "c 136:* rwm" }, /* pts */
        { "lxc.seccomp.profile", access(SECCOMP_PROFILE, R_OK) == 0 ? SECCOMP_PROFILE : NULL },
        { "lxc.mount.entry", s->sockdir_host ? mnt : NULL },
        { "lxc.hook.pre-start", s->prestart_hook },
    };
    for (size_t i = 0; i < sizeof cfg / sizeof *cfg; i++)
        if (cfg[i].val && !c->set_config_item(c, cfg[i].key, cfg[i].val)) {
            fail(errbuf, errlen, 0, "lxc: cannot set %s = %s", cfg[i].key, cfg[i].val);
            goto fail_put;
        }
    /* Saved so that other processes (zbe_lxc_attach/stop/..., lxc-* tools) find the zone. */
    if (!c->save_config(c, NULL)) {
        fail(errbuf, errlen, 0, "lxc: cannot save config in %s", dir);
        goto fail_put;
    }
    if (zbe_lxc_make_shared(s->rootfs, errbuf, errlen) < 0)
        goto fail_put;
    /* Daemonized: liblxc double-forks a monitor (child of init, cwd /, stdio on /dev/null);
     * close_all_fds: our descriptors must not leak into the monitor or the zone. */
    c->want_daemonize(c, true);
    c->want_close_all_fds(c, true);
    if (start_in_child(c) < 0) {
        fail(errbuf, errlen, 0, "lxc: cannot start zone %s", s->name);
        append_log_error(logfile, errbuf, errlen);
        goto fail_put;
    }
    /* start() fails if init cannot be exec'd (lxc 5 syncs on the exec); the wait is a
     * cheap guard for the RUNNING promise of our API. */
    if (!c->wait(c, "RUNNING", START_TIMEOUT_S) || !c->is_running(c)) {
        fail(errbuf, errlen, 0, "zone %s did not reach RUNNING", s->name);
        append_log_error(logfile, errbuf, errlen);
        c->stop(c);
        c->wait(c, "STOPPED", 10);
        goto fail_put;
    }
    lxc_container_put(c);
    return 0;

fail_put:
    lxc_container_put(c);
fail_dir: {
        char ignored[16];
        remove_container_dir(s->name, s->lxcpath, ignored, sizeof ignored);
    }
    return -1;
}

int zbe_lxc_stop(const char *name, const char *lxcpath, int timeout_s, char *errbuf, size_t errlen)
{
    struct lxc_container *c = container(name, lxcpath, errbuf, errlen);
    if (!c)
        return -1;
    if (c->is_running(c)) {
        /* shutdown() sends lxc.signal.halt (default SIGPWR) to the zone's init and waits;
         * stop() is SIGKILL of init, i.e. of the whole pid namespace.  The kernel drops a
         * signal sent from outside to a pid-namespace init that has no handler for it yet,
         * so a zone stopped right after start would sit out the whole timeout: re-send the
         * halt signal every second instead of once. */
        bool down = false;
        for (int i = 0; !down && (timeout_s < 0 || i < timeout_s); i++)
            down = c->shutdown(c, 1);
        if (!down) {
            c->stop(c);
            c->wait(c, "STOPPED", 10);
        }
        if (c->is_running(c)) {
            lxc_container_put(c);
            return fail(errbuf, errlen, 0, "zone %s did not stop", name);
        }
    }
    lxc_container_put(c);
    /* Not c->destroy(): for a dir: rootfs that would delete the zone's root contents. */
    return remove_container_dir(name, lxcpath, errbuf, errlen);
}

int zbe_lxc_is_running(const char *name, const char *lxcpath)
{
    char ignored[16];
    struct lxc_container *c = container(name, lxcpath, ignored, sizeof ignored);
    if (!c)
        return 0;
    int r = c->is_running(c) ? 1 : 0;
    lxc_container_put(c);
    return r;
}

pid_t zbe_lxc_init_pid(const char *name, const char *lxcpath)
{
    char ignored[16];
    struct lxc_container *c = container(name, lxcpath, ignored, sizeof ignored);
    if (!c)
        return -1;
    pid_t pid = c->init_pid(c);
    lxc_container_put(c);
    return pid > 0 ? pid : -1;
}

/* Runs in the attached child, already inside the zone's namespaces. */
static int exec_in_zone(void *payload)
{
    char *const *argv = payload;
    signal(SIGINT, SIG_DFL); /* undo the parent's system()-style SIG_IGN */
    signal(SIGQUIT, SIG_DFL);
    /* liblxc hands the caller's descriptors through; a stray host fd (a directory fd
     * above all) would let the zone reach host files.  Keep only stdio. */
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execvp(argv[0], argv);
    return errno == ENOENT ? 127 : 126; /* becomes the exit status, like a shell */
}

int zbe_lxc_attach(const char *name, const char *lxcpath, char *const argv[], int *exit_status,
                   char *errbuf, size_t errlen)
{
    if (!argv || !argv[0] || !exit_status)
        return fail(errbuf, errlen, 0, "attach: empty command");
    struct lxc_container *c = container(name, lxcpath, errbuf, errlen);
    if (!c)
        return -1;
    if (!c->is_running(c)) {
        lxc_container_put(c);
        return fail(errbuf, errlen, 0, "zone %s is not running", name);
    }
    char term[256] = "";
    const char *t = getenv("TERM");
    if (t && strlen(t) < sizeof term - 5)
        snprintf(term, sizeof term, "TERM=%s", t);
    char *env[] = { ZONE_PATH, "HOME=/root", term[0] ? term : NULL, NULL };
    lxc_attach_options_t opt = LXC_ATTACH_OPTIONS_DEFAULT;
    opt.env_policy = LXC_ATTACH_CLEAR_ENV;
    opt.extra_env_vars = env;
    opt.initial_cwd = "/";
    if (isatty(STDIN_FILENO))
        opt.attach_flags |= LXC_ATTACH_TERMINAL;

    /* As system(3): while the zone command owns the terminal, ^C/^\ are for it, not us. */
    struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &oint);
    sigaction(SIGQUIT, &ign, &oquit);
    pid_t pid = -1;
    int rc = c->attach(c, exec_in_zone, (void *)argv, &opt, &pid);
    int st = 0, werr = 0;
    if (rc == 0) /* liblxc creates the attached process as our child (CLONE_PARENT) */
        while (waitpid(pid, &st, 0) < 0)
            if (errno != EINTR) {
                werr = errno;
                break;
            }
    sigaction(SIGINT, &oint, NULL);
    sigaction(SIGQUIT, &oquit, NULL);
    lxc_container_put(c);
    if (rc != 0)
        return fail(errbuf, errlen, 0, "lxc: cannot attach to zone %s", name);
    if (werr)
        return fail(errbuf, errlen, werr, "waitpid for attached process");
    *exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 0;
}
