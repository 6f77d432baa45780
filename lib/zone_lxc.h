/* zone_lxc.h - one running zone = one LXC system container in our own lxcpath.
 *
 * Privileged container (no user namespace): zone root == host root, only namespaces,
 * dropped capabilities, a device cgroup and lxc's default seccomp list separate them.
 * No printing: errors go into errbuf (liblxc itself logs to <lxcpath>/<name>/lxc.log;
 * the first ERROR line of that log is appended to errbuf when start fails).
 * Links with liblxc: $(pkg-config --cflags --libs lxc).
 */
#ifndef ZBE_ZONE_LXC_H
#define ZBE_ZONE_LXC_H

#include <stddef.h>
#include <sys/types.h>

struct zbe_lxc_spec {
    const char *name;         /* container name = zone name = hostname ([A-Za-z0-9._-], <= 63) */
    const char *lxcpath;      /* directory holding container configs, e.g. <run_dir>/lxc; created if missing */
    const char *rootfs;       /* host path of the zone root; must be a mount point (the zfs-fuse dataset) */
    const char *init;         /* zone's first process, absolute path inside the zone, no arguments */
    const char *sockdir_host; /* host directory bind-mounted into the zone (may be NULL) */
    const char *sockdir_zone; /* where it appears inside the zone, e.g. /var/run/zbe */
    /* Command lxc runs on the host before every start of the container, also when the
     * zone reboots itself (lxc appends "<name> lxc pre-start"); a failure stops the zone.
     * Absolute path and words of [A-Za-z0-9/._+-] separated by single spaces (lxc runs
     * hooks through sh -c); NULL: none. */
    const char *prestart_hook;
};

/* Validates the spec, checks that spec->init exists and is executable inside rootfs
 * (symlinks resolved inside the zone root, #! interpreter checked too), marks the rootfs
 * mount MS_SHARED|MS_REC on the host (so host mounts below it propagate into the zone,
 * where lxc turns it into a slave), writes <lxcpath>/<name>/config and starts the container
 * daemonized.  Returns 0 once the container is RUNNING, -1 with errbuf set otherwise (the
 * container directory is removed again on failure).  A stale, stopped definition of the
 * same name is replaced; a running one is an error. */
int zbe_lxc_start(const struct zbe_lxc_spec *spec, char *errbuf, size_t errlen);

/* Mark the mount at rootfs MS_SHARED|MS_REC (what start does; a pre-start hook that
 * mounts a new root calls it again).  0 ok, -1 with errbuf set. */
int zbe_lxc_make_shared(const char *rootfs, char *errbuf, size_t errlen);

/* Clean shutdown (lxc sends SIGPWR to the zone's init), SIGKILL after timeout_s seconds
 * (0: kill at once, -1: wait forever - liblxc's semantics),
 * then remove <lxcpath>/<name>.  Stopping a zone that is not running just removes the
 * directory (idempotent).  Never touches the rootfs contents.  0 ok, -1 error. */
int zbe_lxc_stop(const char *name, const char *lxcpath, int timeout_s, char *errbuf, size_t errlen);

int zbe_lxc_is_running(const char *name, const char *lxcpath);  /* 1/0 */
pid_t zbe_lxc_init_pid(const char *name, const char *lxcpath);  /* host pid of the zone's init, -1 if not running */

/* Run argv (argv[0] looked up in the zone's PATH) inside the zone with all its namespaces,
 * its cgroup and capability set; waits for it.  Like lxc-attach: if our stdin is a tty,
 * liblxc allocates a pty from the zone's devpts and proxies it for those of stdin/stdout/
 * stderr that are terminals (the zone never gets the host's terminal; redirected ones are
 * passed through); otherwise stdio is inherited as is.  Fds above 2 are not passed in.  The
 * environment is cleared, then PATH, HOME=/root and (if set here) TERM are set; cwd is /.
 * Like system(3), SIGINT/SIGQUIT are ignored in the caller while waiting.
 * *exit_status = exit code, 128+signal if killed, 127 if argv[0] was not found.
 * Returns 0 if the command ran (whatever its status), -1 with errbuf set otherwise. */
int zbe_lxc_attach(const char *name, const char *lxcpath, char *const argv[], int *exit_status,
                   char *errbuf, size_t errlen);

#endif
