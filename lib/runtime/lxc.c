/* A zone as an LXC system container on a ZFS-mounted root (see runtime.h). */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <lxc/lxccontainer.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ZONE_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SECCOMP_PROFILE "/usr/share/lxc/config/common.seccomp"
#define START_TIMEOUT_S 30

/* Names become directory names, hostnames and config values: keep them boring. */
static bool
valid_name(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n > 63 || name[0] == '.' || name[0] == '-')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* Paths end up in lxc config lines; whitespace would split lxc.mount.entry
 * fields and a newline would inject extra keys into the saved config. */
static bool
valid_path(const char *p)
{
	return p != NULL && p[0] == '/' && strpbrk(p, " \t\n\r\\") == NULL;
}

/* lxc runs hooks with sh -c: only plain words, single spaces, an absolute command. */
static bool
valid_hook(const char *s)
{
	if (s == NULL || s[0] != '/' || strstr(s, "  ") != NULL || s[strlen(s) - 1] == ' ')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+- ") == strlen(s);
}

/* The container object for name in lxcpath; the caller puts it. */
static struct lxc_container *
container(zbe_handle_t *h, const char *name, const char *lxcpath)
{
	struct lxc_container *c;

	if (!valid_name(name) || !valid_path(lxcpath)) {
		if (h != NULL)
			zbe_fail_sys(h, ZBE_EZONE, 0, "invalid zone name or lxcpath");
		return NULL;
	}
	if ((c = lxc_container_new(name, lxcpath)) == NULL && h != NULL)
		zbe_fail_sys(h, ZBE_EZONE, 0, "lxc_container_new(%s, %s) failed", name, lxcpath);
	return c;
}

/* RESOLVE_IN_ROOT: absolute symlinks and ".." resolve as the zone will see
 * them (/sbin/init -> /bin/busybox), never reaching the host's files. */
static int
open_in_root(int rootfd, const char *path)
{
	return zbe_openat2(rootfd, path, O_RDONLY | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* The zone's init must exist and be executable; a missing init would
 * otherwise show only as a container that dies right after its start, with
 * the reason buried in the lxc log. */
static zbe_err_t
check_exec(zbe_handle_t *h, int rootfd, const char *rootfs, const char *path, int depth)
{
	const char *what = depth > 0 ? "interpreter" : "init";
	char hdr[256] = "";
	struct stat sb;
	ssize_t n;
	int fd;

	if ((fd = open_in_root(rootfd, path)) < 0)
		return zbe_fail_sys(h, ZBE_EZONE, errno, "%s %s not found in zone root %s", what, path, rootfs);
	n = fstat(fd, &sb) == 0 ? pread(fd, hdr, sizeof(hdr) - 1, 0) : -1;
	close(fd);
	if (n < 0 || !S_ISREG(sb.st_mode) || !(sb.st_mode & 0111))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "%s %s in zone root %s is not an executable file", what, path, rootfs);
	if (depth == 0 && n > 2 && hdr[0] == '#' && hdr[1] == '!') {
		hdr[n] = '\0';
		char *interp = hdr + 2 + strspn(hdr + 2, " \t");
		interp[strcspn(interp, " \t\r\n")] = '\0';
		if (*interp != '/')
			return zbe_fail_sys(h, ZBE_EZONE, 0, "init %s: bad #! line", path);
		return check_exec(h, rootfd, rootfs, interp, 1);
	}
	return ZBE_OK;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

/* rm -r <lxcpath>/<name>: only lxc's own files live there (config, logs).
 * FTW_PHYS: never follow a symlink; FTW_MOUNT: never descend into another
 * file system. */
static zbe_err_t
remove_container_dir(zbe_handle_t *h, const char *name, const char *lxcpath)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/%s", lxcpath, name);
	if (access(dir, F_OK) < 0 && errno == ENOENT)
		return ZBE_OK;
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
		return h != NULL ? zbe_fail_sys(h, ZBE_EZONE, errno, "cannot remove %s", dir) : ZBE_EZONE;
	return ZBE_OK;
}

/* Add the first ERROR line of the container's lxc log (usually the cause). */
static void
append_log_error(zbe_handle_t *h, const char *logpath)
{
	FILE *f = fopen(logpath, "re");
	char line[1024];

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *e = strstr(line, " ERROR ");
		if (e == NULL)
			continue;
		line[strcspn(line, "\n")] = '\0';
		e += strspn(e + 6, " ") + 6; /* " ERROR" and the column padding */
		size_t used = strlen(h->errmsg);
		if (used < sizeof(h->errmsg))
			snprintf(h->errmsg + used, sizeof(h->errmsg) - used, " (lxc: %s)", e);
		break;
	}
	fclose(f);
}

/*
 * The host side of mount propagation.  liblxc gives the container a new
 * mount namespace whose mounts are dependent (slave) copies of the host's
 * and bind-mounts the rootfs recursively from there; a bind of a slave is
 * again a slave of the same peer group.  So once the rootfs mount is
 * shared on the host, a dataset the host mounts later at <rootfs>/a
 * propagates into the zone at /a (its unmount too), while nothing the
 * zone mounts propagates back (measured: the zone's / shows "shared:2
 * master:1").  MS_REC so that datasets already mounted below the root
 * behave alike.  The rootfs must be a mount point rather than bound onto
 * itself: MS_SHARED on a non-mount-point fails (EINVAL) anyway, and a
 * self-bind would be one more host mount to track and undo at stop.  The
 * flag stays at stop (harmless: the caller unmounts the root).
 */
zbe_err_t
zbe_lxc_make_shared(zbe_handle_t *h, const char *rootfs)
{
	struct statx stx;

	if (statx(AT_FDCWD, rootfs, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
		return zbe_fail_sys(h, ZBE_EZONE, errno, "zone root %s", rootfs);
	if (!S_ISDIR(stx.stx_mode))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone root %s is not a directory", rootfs);
	if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone root %s is not a mount point", rootfs);
	if (mount(NULL, rootfs, NULL, MS_SHARED | MS_REC, NULL) < 0)
		return zbe_fail_sys(h, ZBE_EZONE, errno, "make %s shared", rootfs);
	return ZBE_OK;
}

/*
 * liblxc 5.0.2 moves the process calling start() (its "transient" pid)
 * into the new lxc.monitor.<name> cgroup of every hierarchy and leaves it
 * there: the caller would end up in the last zone's monitor cgroup, which
 * the monitor then cannot remove (EBUSY), so one cgroup per start leaked.
 * Calling start() in a short-lived child avoids both.
 */
static bool
start_in_child(struct lxc_container *c)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(c->start(c, 0, NULL) ? 0 : 1);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static zbe_err_t
check_spec(zbe_handle_t *h, const zbe_lxc_spec_t *s)
{
	struct stat sb;

	if (!valid_path(s->rootfs) || !valid_path(s->init))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone spec: rootfs and init must be absolute paths without whitespace");
	if ((s->sockdir_host == NULL) != (s->sockdir_zone == NULL) ||
	    (s->sockdir_host != NULL && (!valid_path(s->sockdir_host) || !valid_path(s->sockdir_zone))))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone spec: sockdir_host and sockdir_zone must both be absolute paths or both NULL");
	if (s->id_base == 0 || s->id_base > UINT32_MAX - ZBE_ZONE_IDS)
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone spec: the zone has no id range of its own");
	if (s->prestart_hook != NULL && !valid_hook(s->prestart_hook))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone spec: pre-start hook must be an absolute command of plain words");
	if (s->sockdir_host != NULL && (stat(s->sockdir_host, &sb) < 0 || !S_ISDIR(sb.st_mode)))
		return zbe_fail_sys(h, ZBE_EZONE, errno, "socket dir %s", s->sockdir_host);
	int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return zbe_fail_sys(h, ZBE_EZONE, errno, "zone root %s", s->rootfs);
	zbe_err_t err = check_exec(h, rootfd, s->rootfs, s->init, 0);
	close(rootfd);
	return err;
}

/* Write the container's configuration through liblxc and save it, so that
 * other processes (attach, stop, the lxc-* tools) find the zone. */
static zbe_err_t
configure(zbe_handle_t *h, struct lxc_container *c, const zbe_lxc_spec_t *s, const char *dir)
{
	char logfile[4200], conslog[4200], rootval[4200], mnt[8400], uidmap[64], gidmap[64];

	snprintf(logfile, sizeof(logfile), "%s/lxc.log", dir);
	snprintf(conslog, sizeof(conslog), "%s/console.log", dir);
	snprintf(rootval, sizeof(rootval), "dir:%s", s->rootfs);
	/* target relative to the rootfs; create=dir makes it.  Read-only: the
	 * zone connects to the socket (allowed on a read-only mount) but can
	 * put nothing into the host's run_dir. */
	/* A zone whose /var/run is a symlink (to /run: Debian) gets the
	 * socket at run/..., on a tmpfs /run of lxc's, which systemd then
	 * keeps (it mounts no /run over a mount point); lxc would not make
	 * the target through the zone's symlink. */
	const char *target = s->sockdir_zone + 1, *run_tmpfs = NULL;
	struct stat vr;
	char runtarget[256];
	if (s->sockdir_host != NULL && strncmp(target, "var/run/", 8) == 0) {
		int rfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rfd >= 0 && fstatat(rfd, "var/run", &vr, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(vr.st_mode)) {
			snprintf(runtarget, sizeof(runtarget), "%s", target + 4);
			target = runtarget;
			run_tmpfs = "tmpfs run tmpfs rw,nosuid,nodev,mode=0755,create=dir 0 0";
		}
		if (rfd >= 0)
			close(rfd);
	}
	if (s->sockdir_host != NULL)
		snprintf(mnt, sizeof(mnt), "%s %s none bind,ro,create=dir 0 0", s->sockdir_host, target);
	snprintf(uidmap, sizeof(uidmap), "u 0 %u %u", (unsigned)s->id_base, ZBE_ZONE_IDS);
	snprintf(gidmap, sizeof(gidmap), "g 0 %u %u", (unsigned)s->id_base, ZBE_ZONE_IDS);
	const struct {
		const char *key, *val;
	} cfg[] = {
		{ "lxc.log.file", logfile }, /* first: later errors get logged there */
		{ "lxc.log.level", "WARN" },
		{ "lxc.uts.name", s->name },
		{ "lxc.rootfs.path", rootval },
		/* the zone's own user namespace: its root is host uid id_base,
		 * nobody outside the zone (runtime.h) */
		{ "lxc.idmap", uidmap },
		{ "lxc.idmap", gidmap },
		{ "lxc.init.cmd", s->init },
		{ "lxc.net.0.type", s->nnet == 0 ? "empty" : NULL }, /* own netns with only lo */
		{ "lxc.apparmor.profile", "unconfined" },
		{ "lxc.autodev", "1" }, /* tmpfs /dev with null, zero, tty, ... only */
		/* cgroup:mixed: systemd as init needs its cgroup tree */
		{ "lxc.mount.auto", "proc:mixed sys:ro cgroup:mixed" },
		{ "lxc.tty.max", "0" },  /* no gettys: init needs no tty */
		{ "lxc.pty.max", "16" }, /* a devpts instance of the zone's own */
		{ "lxc.console.logfile", conslog }, /* init's console output, for debugging */
		{ "lxc.console.size", "auto" },     /* ... capped at 128 KiB */
		/* in its user namespace these would reach nothing of the host's
		 * anyway; dropped so that the zone never holds them at all
		 * (lxc's common.conf list) */
		{ "lxc.cap.drop", "mac_admin mac_override sys_time sys_module sys_rawio" },
		/* device cgroup: lxc's common.conf list without 10:229 /dev/fuse,
		 * the transport of zfs-fuse, which is none of the zone's business */
		{ "lxc.cgroup.devices.deny", "a" },
		{ "lxc.cgroup.devices.allow", "c *:* m" },
		{ "lxc.cgroup.devices.allow", "b *:* m" },
		{ "lxc.cgroup.devices.allow", "c 1:3 rwm" },   /* null */
		{ "lxc.cgroup.devices.allow", "c 1:5 rwm" },   /* zero */
		{ "lxc.cgroup.devices.allow", "c 1:7 rwm" },   /* full */
		{ "lxc.cgroup.devices.allow", "c 1:8 rwm" },   /* random */
		{ "lxc.cgroup.devices.allow", "c 1:9 rwm" },   /* urandom */
		{ "lxc.cgroup.devices.allow", "c 5:0 rwm" },   /* tty */
		{ "lxc.cgroup.devices.allow", "c 5:1 rwm" },   /* console */
		{ "lxc.cgroup.devices.allow", "c 5:2 rwm" },   /* ptmx */
		{ "lxc.cgroup.devices.allow", "c 136:* rwm" }, /* pts */
		{ "lxc.seccomp.profile", access(SECCOMP_PROFILE, R_OK) == 0 ? SECCOMP_PROFILE : NULL },
		{ "lxc.mount.entry", run_tmpfs },
		{ "lxc.mount.entry", s->sockdir_host != NULL ? mnt : NULL },
		{ "lxc.hook.pre-start", s->prestart_hook },
	};
	for (size_t i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++)
		if (cfg[i].val != NULL && !c->set_config_item(c, cfg[i].key, cfg[i].val))
			return zbe_fail_sys(h, ZBE_EZONE, 0, "lxc: cannot set %s = %s", cfg[i].key, cfg[i].val);
	zbe_err_t err = zbe_lxc_limits_config(h, c, s);
	if (err != ZBE_OK)
		return err;
	if (!c->save_config(c, NULL))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "lxc: cannot save config in %s", dir);
	return ZBE_OK;
}

zbe_err_t
zbe_lxc_start(zbe_handle_t *h, const zbe_lxc_spec_t *s)
{
	struct lxc_container *c;
	char dir[4096], logfile[4200];
	zbe_err_t err;

	if ((err = check_spec(h, s)) != ZBE_OK)
		return err;
	if ((c = container(h, s->name, s->lxcpath)) == NULL)
		return ZBE_EZONE;
	bool running = c->is_running(c);
	lxc_container_put(c); /* drop any stale definition (a crash) before writing ours */
	if (running)
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone %s is already running", s->name);
	if ((err = remove_container_dir(h, s->name, s->lxcpath)) != ZBE_OK)
		return err;
	snprintf(dir, sizeof(dir), "%s/%s", s->lxcpath, s->name);
	snprintf(logfile, sizeof(logfile), "%s/lxc.log", dir);
	if ((err = zbe_mkdir_p(h, s->lxcpath)) != ZBE_OK)
		return err;
	if (mkdir(dir, 0700) < 0)
		return zbe_fail_sys(h, ZBE_EZONE, errno, "mkdir %s", dir);
	if ((c = container(h, s->name, s->lxcpath)) == NULL) {
		err = ZBE_EZONE;
		goto fail_dir;
	}
	if ((err = configure(h, c, s, dir)) != ZBE_OK || (err = zbe_lxc_make_shared(h, s->rootfs)) != ZBE_OK)
		goto fail_put;
	/* daemonized: liblxc double-forks a monitor (child of init, cwd /,
	 * stdio on /dev/null); none of our descriptors may reach it or the zone */
	c->want_daemonize(c, true);
	c->want_close_all_fds(c, true);
	if (!start_in_child(c)) {
		err = zbe_fail_sys(h, ZBE_EZONE, 0, "lxc: cannot start zone %s", s->name);
		append_log_error(h, logfile);
		goto fail_put;
	}
	/* start() fails when init cannot be run (lxc 5 waits for the exec);
	 * the wait is a cheap guard for the RUNNING promise */
	if (!c->wait(c, "RUNNING", START_TIMEOUT_S) || !c->is_running(c)) {
		err = zbe_fail_sys(h, ZBE_EZONE, 0, "zone %s did not reach RUNNING", s->name);
		append_log_error(h, logfile);
		c->stop(c);
		c->wait(c, "STOPPED", 10);
		goto fail_put;
	}
	lxc_container_put(c);
	return ZBE_OK;
fail_put:
	lxc_container_put(c);
fail_dir:
	(void)remove_container_dir(NULL, s->name, s->lxcpath);
	return err;
}

zbe_err_t
zbe_lxc_stop(zbe_handle_t *h, const char *name, const char *lxcpath, int timeout_s)
{
	struct lxc_container *c = container(h, name, lxcpath);

	if (c == NULL)
		return ZBE_EZONE;
	if (c->is_running(c)) {
		/*
		 * shutdown() sends lxc.signal.halt (SIGPWR) to the zone's init
		 * and waits; stop() is SIGKILL of init, so of the whole pid
		 * namespace.  The kernel drops a signal sent from outside to a
		 * pid-namespace init that has no handler for it yet, so a zone
		 * stopped right after its start would sit out the timeout: send
		 * the halt signal again every second instead of once.
		 */
		bool down = false;
		for (int i = 0; !down && (timeout_s < 0 || i < timeout_s); i++)
			down = c->shutdown(c, 1);
		if (!down) {
			c->stop(c);
			c->wait(c, "STOPPED", 10);
		}
		if (c->is_running(c)) {
			lxc_container_put(c);
			return zbe_fail_sys(h, ZBE_EZONE, 0, "zone %s did not stop", name);
		}
	}
	lxc_container_put(c);
	/* not c->destroy(): for a dir: rootfs that would delete the zone's files */
	return remove_container_dir(h, name, lxcpath);
}

bool
zbe_lxc_is_running(const char *name, const char *lxcpath)
{
	struct lxc_container *c = container(NULL, name, lxcpath);
	bool r;

	if (c == NULL)
		return false;
	r = c->is_running(c);
	lxc_container_put(c);
	return r;
}

pid_t
zbe_lxc_init_pid(const char *name, const char *lxcpath)
{
	struct lxc_container *c = container(NULL, name, lxcpath);
	pid_t pid;

	if (c == NULL)
		return -1;
	pid = c->init_pid(c);
	lxc_container_put(c);
	return pid > 0 ? pid : -1;
}

/* Runs in the attached child, already inside the zone's namespaces. */
static int
exec_in_zone(void *payload)
{
	char *const *argv = payload;

	signal(SIGINT, SIG_DFL); /* undo the parent's system()-style SIG_IGN */
	signal(SIGQUIT, SIG_DFL);
	/* liblxc hands the caller's descriptors through; a stray host fd (a
	 * directory above all) would let the zone reach host files */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execvp(argv[0], argv);
	return errno == ENOENT ? 127 : 126; /* the exit status, like a shell's */
}

zbe_err_t
zbe_lxc_attach(zbe_handle_t *h, const char *name, const char *lxcpath, char *const argv[],
    int *exit_status)
{
	struct lxc_container *c;
	char term[256] = "";
	const char *t = getenv("TERM");

	if (argv == NULL || argv[0] == NULL)
		return zbe_fail_sys(h, ZBE_EZONE, 0, "attach: empty command");
	if ((c = container(h, name, lxcpath)) == NULL)
		return ZBE_EZONE;
	if (!c->is_running(c)) {
		lxc_container_put(c);
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone %s is not running", name);
	}
	if (t != NULL && strlen(t) < sizeof(term) - 5)
		snprintf(term, sizeof(term), "TERM=%s", t);
	char *env[] = { ZONE_PATH, "HOME=/root", term[0] != '\0' ? term : NULL, NULL };
	lxc_attach_options_t opt = LXC_ATTACH_OPTIONS_DEFAULT;
	opt.env_policy = LXC_ATTACH_CLEAR_ENV;
	opt.extra_env_vars = env;
	opt.initial_cwd = "/";
	if (isatty(STDIN_FILENO))
		opt.attach_flags |= LXC_ATTACH_TERMINAL;

	/* as system(3): while the zone's command has the terminal, ^C and ^\ are its own */
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	pid_t pid = -1;
	int rc = c->attach(c, exec_in_zone, (void *)argv, &opt, &pid);
	int status = 0, werr = 0;
	if (rc == 0) /* liblxc makes the attached process our child (CLONE_PARENT) */
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				werr = errno;
				break;
			}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	lxc_container_put(c);
	if (rc != 0)
		return zbe_fail_sys(h, ZBE_EZONE, 0, "lxc: cannot attach to zone %s", name);
	if (werr != 0)
		return zbe_fail_sys(h, ZBE_EZONE, werr, "waitpid for attached process");
	*exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return ZBE_OK;
}
