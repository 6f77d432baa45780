/*
 * Layer 2, runtime: what a zone runs as.  One running zone is one LXC
 * system container in zbe's own lxcpath (lxc.c), on a root file system
 * that image.c can fill with a minimal busybox system.  Calls only base;
 * errors go into the handle (ZBE_EZONE or ZBE_EIO), nothing is printed
 * (liblxc itself logs to <lxcpath>/<name>/lxc.log; the first ERROR line
 * of that log is added to the message when a start fails).
 *
 * The container is unprivileged: it has a user namespace of its own
 * (lxc.idmap, uid and gid 0..65535 of the zone are host ids id_base..),
 * so zone root holds capabilities only over the zone's own namespaces
 * and files; lxc's default seccomp list and a device cgroup come on top.
 */
#ifndef ZBE_RUNTIME_H
#define ZBE_RUNTIME_H

#include "base.h"

#include <stdint.h>
#include <sys/types.h>

typedef struct zbe_lxc_spec {
	const char *name;         /* container name = zone name = hostname ([A-Za-z0-9._-], <= 63) */
	const char *lxcpath;      /* directory holding container configs; made if missing */
	const char *rootfs;       /* host path of the zone root; must be a mount point */
	const char *init;         /* the zone's first process, absolute path in the zone, no arguments */
	const char *sockdir_host; /* host directory bind-mounted into the zone (may be NULL) */
	const char *sockdir_zone; /* where it appears inside the zone, e.g. /var/run/zbe */
	/*
	 * Command lxc runs on the host before every start of the container,
	 * also when the zone reboots itself (lxc appends "<name> lxc
	 * pre-start"); a failure stops the zone.  An absolute path and words
	 * of [A-Za-z0-9/._+-] separated by single spaces (lxc runs hooks
	 * through sh -c); NULL: none.
	 */
	const char *prestart_hook;
	/* Host uid and gid of the zone's root: lxc.idmap u/g 0 id_base 65536.
	 * Never 0 (start refuses: a zone always has a user namespace). */
	uint32_t id_base;
	/* Resource caps (NULL: none) and net resources (nnet 0: the zone has
	 * a network namespace with only lo), see lxc_limits.c. */
	const zbe_zone_caps_t *caps;
	const zbe_zone_net_t *net;
	size_t nnet;
} zbe_lxc_spec_t;

/*
 * Check the spec and that init exists and is executable inside rootfs
 * (symlinks resolved inside the zone root, a #! interpreter too), mark
 * the rootfs mount MS_SHARED|MS_REC (so host mounts below it propagate
 * into the zone), write <lxcpath>/<name>/config and start the container
 * daemonized.  ZBE_OK once it is RUNNING; on failure its directory is
 * gone again.  A stale, stopped definition of the same name is replaced;
 * a running one is an error.
 */
zbe_err_t zbe_lxc_start(zbe_handle_t *h, const zbe_lxc_spec_t *spec);

/* Mark the mount at rootfs MS_SHARED|MS_REC (what start does; a pre-start
 * hook that mounts a new root calls it again). */
zbe_err_t zbe_lxc_make_shared(zbe_handle_t *h, const char *rootfs);

/*
 * Clean shutdown (lxc sends SIGPWR to the zone's init), SIGKILL after
 * timeout_s seconds (0: at once, -1: never), then remove
 * <lxcpath>/<name>.  Stopping a zone that is not running only removes
 * the directory.  Never touches the rootfs.
 */
zbe_err_t zbe_lxc_stop(zbe_handle_t *h, const char *name, const char *lxcpath, int timeout_s);

bool zbe_lxc_is_running(const char *name, const char *lxcpath);
/* Host pid of the zone's init, -1 if it is not running. */
pid_t zbe_lxc_init_pid(const char *name, const char *lxcpath);

/*
 * Run argv (argv[0] looked up in the zone's PATH) inside the zone with
 * all its namespaces, its cgroup and capability set, and wait for it.
 * Like lxc-attach: when stdin is a terminal, liblxc gives the command a
 * pty of the zone's devpts and proxies it (the zone never gets the host's
 * terminal); otherwise stdio is passed as is.  No descriptor above 2 is
 * passed in.  The environment is PATH, HOME=/root and TERM; cwd is /.
 * Like system(3), SIGINT and SIGQUIT are ignored here while waiting.
 * *exit_status: the exit code, 128+signal, or 127 when argv[0] was not
 * found.  ZBE_OK when the command ran, whatever its status.
 */
zbe_err_t zbe_lxc_attach(zbe_handle_t *h, const char *name, const char *lxcpath, char *const argv[],
    int *exit_status);

/*
 * The caps and nets of spec as container config items (lxc_limits.c):
 * cgroup keys for the host's cgroup layout (lxc.cgroup2.* on a cgroup v2
 * host, lxc.cgroup.* on a v1 or hybrid one), one veth per net resource.
 */
struct lxc_container;
zbe_err_t zbe_lxc_limits_config(zbe_handle_t *h, struct lxc_container *c, const zbe_lxc_spec_t *spec);
/* True when /sys/fs/cgroup is a cgroup2 mount: the unified hierarchy only. */
bool zbe_cgroup_v2_host(void);

/* ---- the minimal image (image.c) ---- */

/* The host binary the image is built from (Debian's busybox-static). */
#define ZBE_IMAGE_BUSYBOX "/bin/busybox"

/*
 * Fill dir (made if missing) with a minimal zone root: /bin/busybox and
 * a relative symlink for every applet, busybox init with an inittab that
 * needs no tty (it reaps zombies and halts on SIGPWR, lxc's shutdown
 * signal), /etc/{hostname,passwd,group,inittab,mtab} and the usual empty
 * directories.  extra_bin_src, when not NULL, is copied to
 * extra_bin_dst (an absolute path in the image, mode 0755).  Existing
 * links and directories are kept and files rewritten, so it can run
 * again on the same directory.
 */
zbe_err_t zbe_image_build_minimal(zbe_handle_t *h, const char *dir, const char *extra_bin_src,
    const char *extra_bin_dst);

/* ---- a root file system archive (archive.c) ---- */

/*
 * Unpack the tar archive (plain, gzip, xz, zstd or bzip2, told by its
 * first bytes) into the existing directory dir with GNU tar, run with an
 * argv in dir by descriptor: nothing is written outside dir (no absolute
 * names, no "..", no member written through a symlink the archive made),
 * and files keep the archive's numeric ids (shift them after).  An
 * unusable archive is ZBE_EZONE with the first reason tar (or the
 * decompressor) gave; what it wrote stays in dir for the caller to drop.
 */
zbe_err_t zbe_image_unpack(zbe_handle_t *h, const char *dir, const char *archive);
/* The tree at dir as a zstd tar archive at out (numeric ids, one file
 * system), synced. */
zbe_err_t zbe_image_pack(zbe_handle_t *h, const char *dir, const char *out);
/* Run argv (no shell, stdio on /dev/null) and wait; a failure quotes the
 * first stderr line that starts with want (any line when NULL). */
zbe_err_t zbe_image_run(zbe_handle_t *h, const char *const argv[], const char *want);

/* ---- the Debian image (debian.c) ---- */

/* The first Debian archive URI (ending in /debian) of apt's sources in
 * apt_dir (/etc/apt): sources.list, then sources.list.d/ *.list and
 * *.sources (deb822), in name order. */
zbe_err_t zbe_debian_mirror(zbe_handle_t *h, const char *apt_dir, char **out);
/*
 * *out: the cached Debian image of release in the directory cache
 * (debian-<release>-<YYYYMMDD>.tar.zst, the newest one), built first when
 * there is none: debootstrap --variant=minbase --include=systemd-sysv
 * from apt's mirror, packed by zbe_image_pack.  A killed build leaves no
 * entry that looks complete (see debian.c).
 */
zbe_err_t zbe_image_debian(zbe_handle_t *h, const char *cache, const char *release, const char *apt_dir,
    char **out);
/* Write rel (relative, beneath root, no symlink followed on the way) with
 * the contents of the host file src, or the string data, and mode;
 * missing parent directories are made (0755). */
zbe_err_t zbe_image_put(zbe_handle_t *h, const char *root, const char *rel, const char *src, const char *data,
    mode_t mode);

/* ---- a zone's ids (image.c) ---- */

/*
 * Give every file below dir (itself too, last) the owner it must have on
 * the host for a zone whose ids 0..65535 are host ids base..: an id in
 * the zone's range is kept, an id in another zone's range (others, from
 * an image copied out of that zone) moves to the same place in this one,
 * any other id below 65536 (a host-made image) is raised by base, and an
 * id above those stays (the zone sees it as nobody).  Setuid and setgid
 * bits survive the chown.  Runs again on the same tree without harm
 * (hard links too).  Never follows a symlink, never enters another file
 * system.  *changed (may be NULL): how many entries got a new owner.
 */
zbe_err_t zbe_image_shift_ids(zbe_handle_t *h, const char *dir, uint32_t base, const uint32_t *others,
    size_t nothers, unsigned *changed);

/* ---- a command in a BE of a zone, from the global zone (sandbox.c) ---- */

typedef struct zbe_sandbox {
	const char *root;     /* host path of the BE's mount: made the command's / */
	const char *hostname; /* its uts name (the zone's), or NULL */
	uint32_t id_base;     /* the zone's ids: uid and gid 0..65535 are host id_base.. */
} zbe_sandbox_t;

/*
 * Start argv (looked up in PATH) in the BE at root as the zone runs its
 * processes: in a user namespace of its own with the zone's id map, its
 * own mount, pid, network, ipc, uts and cgroup namespaces, a fresh /proc,
 * a read-only /sys and a /dev with only null, zero, full, random, urandom
 * and tty; the host's tree is not reachable from it.  Stdio is passed as
 * is, in a session of its own.  *pid: the process to wait for; its exit
 * status is the command's (128+signal when killed); SIGINT, SIGQUIT,
 * SIGTERM and SIGHUP sent to it are passed on to the command, and when
 * the command ends every process it left behind is killed.  Returns once
 * the command was exec'd; a setup failure or a command that cannot run
 * is an error (ZBE_ENOENT: no such command), with nothing left running.
 */
zbe_err_t zbe_sandbox_spawn(zbe_handle_t *h, const zbe_sandbox_t *s, char *const argv[], pid_t *pid);

#endif
