/*
 * libzbe: ZFS boot environments for a Linux host and its zones.
 *
 * One opaque handle carries the configuration, the scope (the host's BE
 * container, or one zone's), the hooks and the last error.  The library
 * never prints: messages go through the log hook the caller sets.
 *
 * Invariants the library keeps (and the tests check):
 *  - every name that reaches a zfs/zpool command line has been validated;
 *  - zfs and zpool are spawned with an argv, never through a shell;
 *  - a mutating operation either completes or undoes what it did;
 *  - mutating operations hold the lock in run_dir, so two processes
 *    never interleave them;
 *  - the state of a tree is read with one zfs call.
 */
#ifndef ZBE_H
#define ZBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zbe_handle zbe_handle_t;

typedef enum zbe_err {
	ZBE_OK = 0,
	ZBE_ENOMEM,      /* out of memory */
	ZBE_EINVAL,      /* invalid argument */
	ZBE_ENAME,       /* invalid name */
	ZBE_ECONFIG,     /* configuration error */
	ZBE_ENOENT,      /* no such BE, snapshot or zone */
	ZBE_EEXIST,      /* already exists */
	ZBE_ERUNNING,    /* it is the running BE */
	ZBE_EBOOTFS,     /* it is the BE active on reboot */
	ZBE_EMOUNTED,    /* it is mounted */
	ZBE_ENOTMOUNTED, /* it is not mounted */
	ZBE_EHASSNAPS,   /* it has snapshots */
	ZBE_EHASCLONES,  /* it has dependent clones */
	ZBE_ENOROOT,     /* the running BE cannot be determined */
	ZBE_EZFS,        /* a zfs or zpool command failed */
	ZBE_ESPAWN,      /* a command could not be started */
	ZBE_ELOCK,       /* the lock could not be taken */
	ZBE_EIO,         /* a system call failed */
	ZBE_EPERM,       /* refused by policy */
	ZBE_EBUSY,       /* busy (a zone is running, a mount is in use) */
	ZBE_ESELECT,     /* no single active zone BE for the running host BE */
	ZBE_EZONE,       /* a zone operation failed */
	ZBE_ECANCELED,   /* the user declined */
	ZBE_ENOTSUP,     /* not supported here */
	ZBE_EINTR,       /* interrupted by a signal (the operation was undone) */
	ZBE_EINCOMPLETE, /* half-made by an interrupted operation */
	ZBE_ERR_COUNT
} zbe_err_t;

/* A fixed message per code. */
const char *zbe_strerror(zbe_err_t err);

typedef enum zbe_log_level {
	ZBE_LOG_TRACE, /* a zfs/zpool command about to run (beadm -v) */
	ZBE_LOG_PLAN,  /* a command a dry run would have run (beadm -n) */
	ZBE_LOG_INFO,
	ZBE_LOG_WARN,
} zbe_log_level_t;

typedef void zbe_log_fn(void *arg, zbe_log_level_t level, const char *msg);

/*
 * Open a handle.  conf_path NULL means $ZBE_CONF, else /etc/zbe/zbe.conf
 * (a missing default file means all defaults).  On failure NULL is
 * returned, *err is set and errbuf holds "<what>: <why>".
 */
zbe_handle_t *zbe_open(const char *conf_path, zbe_err_t *err, char *errbuf, size_t errlen);
void zbe_close(zbe_handle_t *h);

void zbe_set_log_hook(zbe_handle_t *h, zbe_log_fn *fn, void *arg);
void zbe_set_dry_run(zbe_handle_t *h, bool dry_run);

/* The last error of the handle: code and "<what>: <why>". */
zbe_err_t zbe_errno(const zbe_handle_t *h);
const char *zbe_errmsg(const zbe_handle_t *h);
/* The signal (SIGINT, SIGTERM, SIGHUP) that arrived during the last
 * mutating operation, or 0.  It was held until a consistent point: the
 * operation then failed with ZBE_EINTR and was undone (or had already
 * completed).  The command exits 128 + it. */
int zbe_interrupted(const zbe_handle_t *h);

/* Number of zfs/zpool processes this handle has spawned. */
unsigned zbe_command_count(const zbe_handle_t *h);

/* Configuration as resolved (defaults filled in). */
const char *zbe_conf_get(zbe_handle_t *h, const char *key);

/* Names: [A-Za-z0-9][A-Za-z0-9._:-]*, at most 64 characters. */
bool zbe_name_valid(const char *name);

/*
 * Scope.  A fresh handle works on the host's BEs.  zbe_scope_zone switches
 * it to the zone BEs of one zone (its <zonepath-dataset>/rpool), as seen
 * by the global administrator (ZBE_POLICY_ADMIN) or by the zone itself
 * through its broker (ZBE_POLICY_ZONE, which enforces the zone rules).
 */
typedef enum zbe_policy {
	ZBE_POLICY_ADMIN,
	ZBE_POLICY_ZONE,
} zbe_policy_t;

zbe_err_t zbe_scope_zone(zbe_handle_t *h, const char *zone, zbe_policy_t policy);

/* ---- Listing ---------------------------------------------------------- */

typedef struct zbe_snap_info {
	char *name;      /* full dataset@snapshot */
	uint64_t used;
	int64_t creation;
} zbe_snap_info_t;

typedef struct zbe_ds_info {
	char *name;      /* full dataset name */
	char *mountpoint; /* where it is mounted now, or NULL */
	uint64_t used;
	int64_t creation;
	char *origin;    /* NULL when none */
} zbe_ds_info_t;

typedef struct zbe_be_info {
	char *name;
	char *dataset;
	char *uuid;         /* host BEs: own uuid; zone BEs: NULL */
	char *description;
	char *parentbe;     /* zone BEs: uuid of the host BE they belong to */
	char *parentbe_name;/* zone BEs: that host BE's name, "orphan", or NULL if none */
	bool active_prop;   /* zone BEs: org.opensolaris.libbe:active=on */
	bool running;       /* N: the running BE (zone: the running zone's root) */
	bool next;          /* R: active on reboot (zone: selected at next boot); with a
	                       one-time activation pending, the BE it returns to */
	bool once;          /* T: host BEs: active for the next boot only (beadm activate -t) */
	bool foreign;       /* !: zone BE of another host BE, not bootable now */
	bool orphan;        /* O: zone BE of no host BE on this host (one that came from elsewhere) */
	bool incomplete;    /* I: half-made or half-destroyed by an interrupted operation */
	bool policy_auto;   /* org.opensolaris.libbe:policy=auto: beadm prune may destroy it */
	char *apt_txn;      /* the apt transaction it was made for (zbe-apt-hook), or NULL */
	char *mountpoint;   /* where the BE root is mounted, or NULL */
	uint64_t space;
	int64_t creation;
	zbe_ds_info_t *datasets; /* child datasets (not the root) */
	size_t ndatasets;
	zbe_snap_info_t *snaps;  /* snapshots of the root and, with children, theirs */
	size_t nsnaps;
} zbe_be_info_t;

typedef struct zbe_list {
	zbe_be_info_t *bes;
	size_t n;
} zbe_list_t;

/* name NULL: every BE.  One zfs call. */
zbe_err_t zbe_list(zbe_handle_t *h, const char *name, zbe_list_t **out);
void zbe_list_free(zbe_list_t *l);

/* ---- Operations ------------------------------------------------------- */

typedef struct zbe_create_opts {
	const char *name;        /* new BE */
	const char *source;      /* NULL: running BE; "BE" or "BE@snapshot" */
	const char *description; /* NULL: none */
	const char *const *props;/* NULL-terminated "property=value" list, or NULL */
	bool activate;
	bool pending;            /* beadm run: incomplete until zbe_run_done (not in a zone's own requests) */
} zbe_create_opts_t;

zbe_err_t zbe_create(zbe_handle_t *h, const zbe_create_opts_t *o);
/* beadm create BE@snapshot: snapshot -r of the BE */
zbe_err_t zbe_snapshot(zbe_handle_t *h, const char *be, const char *snap);

zbe_err_t zbe_activate(zbe_handle_t *h, const char *be);
/* beadm activate -t: the next boot of the host only comes up in be; the
 * boot after it in the BE active before (a later zbe_activate confirms be). */
zbe_err_t zbe_activate_once(zbe_handle_t *h, const char *be);
/* beadm run: the command succeeded; the BE made with .pending is whole. */
zbe_err_t zbe_run_done(zbe_handle_t *h, const char *be);

enum {
	ZBE_DESTROY_FORCE_UNMOUNT = 1 << 0, /* -f */
	ZBE_DESTROY_SNAPSHOTS = 1 << 1,     /* -s */
};
zbe_err_t zbe_destroy(zbe_handle_t *h, const char *be, int flags);
zbe_err_t zbe_destroy_snapshot(zbe_handle_t *h, const char *be, const char *snap);

/*
 * mountpoint NULL: a new temporary directory; *out (malloc) tells where.
 * Under ZBE_POLICY_ZONE, paths are the zone's own ("/a" is <zonepath>/root/a)
 * and never leave the zone: no symbolic link is followed, and the mount is
 * made elsewhere and moved onto the directory already opened, so a zone
 * changing its tree meanwhile cannot point it at the host.  NULL then
 * makes a directory in the zone's /tmp, and *out is the zone's path.
 */
zbe_err_t zbe_mount(zbe_handle_t *h, const char *be, const char *mountpoint, char **out);
/* be_or_path: a BE name or the path it is mounted at */
zbe_err_t zbe_unmount(zbe_handle_t *h, const char *be_or_path, bool force);

zbe_err_t zbe_rename(zbe_handle_t *h, const char *be, const char *newname);

/* beadm check: what an interrupted operation or a hand-made change left. */
typedef struct zbe_check_item {
	char *finding;  /* what is wrong */
	char *repair;   /* what -r does about it, or NULL: left to the administrator */
	bool repaired;  /* -r did it (a dry run: would do it) */
} zbe_check_item_t;

typedef struct zbe_check {
	zbe_check_item_t *items;
	size_t n;
} zbe_check_t;

/* Find what is wrong; with repair, also repair what is safe to (under the
 * lock; interrupted operations first).  *out lists it all, repaired or not. */
zbe_err_t zbe_check(zbe_handle_t *h, bool repair, zbe_check_t **out);
void zbe_check_free(zbe_check_t *c);
zbe_err_t zbe_rollback(zbe_handle_t *h, const char *be, const char *snap);

/* ---- Retention (beadm prune) ---------------------------------------- */

/*
 * What prune does with each automatic BE (policy=auto), newest first.
 * Static BEs are never candidates and are not listed.
 */
typedef enum zbe_prune_action {
	ZBE_PRUNE_DESTROY,      /* destroyed (a plan: would be) */
	ZBE_PRUNE_KEEP_NEWEST,  /* one of the newest `keep` */
	ZBE_PRUNE_KEEP_SPACE,   /* the pool has min_free or more free */
	ZBE_PRUNE_KEEP_RUNNING, /* the running BE (zone: the running zone's root) */
	ZBE_PRUNE_KEEP_NEXT,    /* active on reboot (zone: selected at next boot) */
	ZBE_PRUNE_KEEP_BACKS,   /* a snapshot of it is the origin of a BE that stays */
	ZBE_PRUNE_KEEP_ONCE,    /* host: the one-time BE of activate -t, or the BE it returns to */
	ZBE_PRUNE_FAILED,       /* its destroy failed: error says why */
} zbe_prune_action_t;

typedef struct zbe_prune_entry {
	char *name;
	int64_t creation;
	uint64_t space;
	zbe_prune_action_t action;
	char *detail; /* KEEP_BACKS: the dataset it backs; FAILED: the error */
} zbe_prune_entry_t;

typedef struct zbe_prune_result {
	zbe_prune_entry_t *v;
	size_t n;
	unsigned keep, min_free; /* as configured */
	unsigned free_pct;       /* the pool's free space before */
	unsigned free_pct_after; /* estimated: each destroyed BE frees its space */
} zbe_prune_result_t;

/*
 * Keep the newest `keep` automatic BEs of the scope; of the older ones,
 * oldest first, destroy each (as beadm destroy -s does, zones' BEs of a
 * host BE along) while the pool's free space is under min_free (0: destroy
 * every one), never the running BE, the one active on reboot, the
 * one-time BE of a pending activate -t and the one it returns to, nor one
 * whose snapshot backs a BE that stays.  plan_only: decide, change
 * nothing.  A failed destroy is recorded and the others go on; the result
 * is then ZBE_EZFS-like (the first failure's code) with *out still set.
 * One tree read and one zpool call decide.
 */
zbe_err_t zbe_prune(zbe_handle_t *h, bool plan_only, zbe_prune_result_t **out);
void zbe_prune_result_free(zbe_prune_result_t *r);

/* ---- Zones ------------------------------------------------------------ */

/* Zone names: BE names without ':' (they become hostnames and paths). */
bool zbe_zone_name_valid(const char *name);

typedef enum zbe_zone_state {
	ZBE_ZONE_CONFIGURED,
	ZBE_ZONE_INCOMPLETE,
	ZBE_ZONE_INSTALLED,
	ZBE_ZONE_READY,    /* root selected and mounted, nothing started */
	ZBE_ZONE_RUNNING,
} zbe_zone_state_t;
const char *zbe_zone_state_name(zbe_zone_state_t s);

/* Ids a zone maps: uid and gid 0..65535, like a default subordinate range. */
#define ZBE_ZONE_IDS 65536u

/*
 * A zone's resource caps (zonecfg capped-memory.physical, capped-cpu.ncpus,
 * max-processes), written as cgroup limits into its LXC configuration at
 * boot.  0: no cap.
 */
typedef struct zbe_zone_caps {
	uint64_t memory;        /* bytes */
	uint32_t cpu_centi;     /* CPUs x 100: 150 is 1.50 CPUs */
	uint32_t max_processes; /* tasks (processes and threads) */
} zbe_zone_caps_t;

/* A zone's net resource: a veth pair on host bridge physical, its zone
 * end ethN with a static IPv4 address (and a default route), "dhcp" (the
 * zone's own client configures it) or no address at all. */
#define ZBE_ZONE_NET_MAX 8
#define ZBE_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
typedef struct zbe_zone_net {
	char physical[ZBE_IFNAME_MAX + 1];
	char address[20];   /* "a.b.c.d/len", "dhcp" or "" */
	char defrouter[16]; /* "a.b.c.d" or "" */
} zbe_zone_net_t;

/* A Linux interface name: 1..15 of [A-Za-z0-9_.-], not "." or "..", not
 * starting with '-' (it reaches ip(8)-style argv and lxc config lines). */
bool zbe_ifname_valid(const char *name);

typedef struct zbe_zone_info {
	char *name;
	char *zonepath;
	char *uuid;
	char *init;
	char *dataset;   /* <zpds>, NULL when the zonepath is not on ZFS */
	char *mounted_zbe; /* running or ready: the ZBE mounted as its root */
	zbe_zone_state_t state;
	bool autoboot;
	bool be_ops_deny;
	int id;          /* running zones: 1, 2, ...; others -1 */
	bool has_id_base; /* false: configured by a version without user namespaces */
	uint32_t id_base; /* host uid and gid of the zone's root; its 65536 ids start here */
	char *be_quota;   /* quota on <zpds>/rpool, or NULL */
	zbe_zone_caps_t caps;
	zbe_zone_net_t net[ZBE_ZONE_NET_MAX];
	size_t nnet;
} zbe_zone_info_t;

/* The memory cap ("512M") or the CPU cap ("1.50") into buf; "-" for no cap. */
const char *zbe_zone_caps_memory_str(const zbe_zone_caps_t *c, char *buf, size_t len);
const char *zbe_zone_caps_cpu_str(const zbe_zone_caps_t *c, char *buf, size_t len);

/* Every configured zone (one zfs call for all of them). */
zbe_err_t zbe_zone_list(zbe_handle_t *h, zbe_zone_info_t **out, size_t *n);
void zbe_zone_list_free(zbe_zone_info_t *v, size_t n);

/* zonecfg: create (kv must set zonepath), set, delete */
zbe_err_t zbe_zone_configure(zbe_handle_t *h, const char *zone, const char *const *kv, bool create);
zbe_err_t zbe_zone_unconfigure(zbe_handle_t *h, const char *zone);

/* source: NULL (minimal image), a directory, or a tarball */
zbe_err_t zbe_zone_install(zbe_handle_t *h, const char *zone, const char *source);
/* What an install fills ZBE1 with (zoneadm install -s, -a). */
typedef enum zbe_install_kind {
	ZBE_INSTALL_MINIMAL, /* the busybox image */
	ZBE_INSTALL_SOURCE,  /* path: a directory (copied) or a tarball */
	ZBE_INSTALL_ARCHIVE, /* path: a root file system tarball, nothing else */
	ZBE_INSTALL_DEBIAN,  /* release (NULL: bookworm): the cached Debian image */
} zbe_install_kind_t;
typedef struct zbe_install_src {
	zbe_install_kind_t kind;
	const char *path;
	const char *release;
} zbe_install_src_t;
#define ZBE_DEBIAN_DEFAULT_RELEASE "bookworm"
zbe_err_t zbe_zone_install_from(zbe_handle_t *h, const char *zone, const zbe_install_src_t *src);
zbe_err_t zbe_zone_uninstall(zbe_handle_t *h, const char *zone);
/* zone's ZBE1 as a clone of source's ZBE for the running host BE (source
 * halted), or of source's snapshot "ZBE@snap" (source may run). */
zbe_err_t zbe_zone_clone(zbe_handle_t *h, const char *zone, const char *source, const char *snapshot);
/* zoneadm detach: a halted zone's datasets stay, marked detached; it no
 * longer boots and lists as configured. */
zbe_err_t zbe_zone_detach(zbe_handle_t *h, const char *zone);
enum {
	ZBE_ATTACH_LAST_BOOTED = 1 << 0,    /* -x attach-last-booted-zbe */
	ZBE_ATTACH_DESTROY_ORPHANS = 1 << 1, /* -x destroy-orphan-zbes */
};
/* zoneadm attach: the zone's ZBE for the running host BE, or the one it
 * booted last re-tagged for it (Solaris' rules); orphans are named in an
 * info message and kept, or destroyed with ZBE_ATTACH_DESTROY_ORPHANS. */
zbe_err_t zbe_zone_attach(zbe_handle_t *h, const char *zone, unsigned flags);
/* zoneadm move: a halted zone's zonepath becomes path (one pool only). */
zbe_err_t zbe_zone_move(zbe_handle_t *h, const char *zone, const char *path);
zbe_err_t zbe_zone_boot(zbe_handle_t *h, const char *zone);
zbe_err_t zbe_zone_ready(zbe_handle_t *h, const char *zone);
zbe_err_t zbe_zone_halt(zbe_handle_t *h, const char *zone);
/* Run argv in the running zone; *status is its exit status. */
zbe_err_t zbe_zone_login(zbe_handle_t *h, const char *zone, char *const argv[], int *status);
/*
 * beadm -z ZONE run: start argv in root, the host path of a mounted BE of
 * the zone, as the zone runs its processes: its user namespace and id
 * map, namespaces of its own, a fresh /proc, /sys and a minimal /dev,
 * never the host's.  *pid: the process to wait for (its status is the
 * command's; signals sent to it reach the command).  A command that cannot
 * run is an error (ZBE_ENOENT: not found), with nothing left running.
 */
zbe_err_t zbe_zone_spawn(zbe_handle_t *h, const char *zone, const char *root, char *const argv[], pid_t *pid);

/*
 * The command that serves a zone's delegation socket (zoneadm boot starts
 * it with the zone name appended, halt stops it), and the static in-zone
 * beadm client the minimal image gets.  Unset: no broker, no client.
 */
void zbe_set_broker(zbe_handle_t *h, const char *const *argv_prefix);
/* In the broker: hold the zone's broker lock for the process's life (the
 * descriptor returned; keep it open).  -1 and ZBE_EBUSY when a broker
 * already serves the zone. */
int zbe_broker_claim(zbe_handle_t *h, const char *zone);
void zbe_set_zone_client(zbe_handle_t *h, const char *path);
/* The host binary of zbe-apt-hook that install -t debian puts into the
 * zone (it must run there: not built with the sanitizers). */
void zbe_set_zone_apt_hook(zbe_handle_t *h, const char *path);
/*
 * The command the container runtime runs before every start of a zone's
 * container, with the zone name appended, also when the zone reboots
 * itself: it must end up in zbe_zone_prestart.  Words of
 * [A-Za-z0-9/._+-], the first an absolute path.  Unset: a reboot from
 * inside the zone comes back on the root it had.
 */
void zbe_set_prestart_hook(zbe_handle_t *h, const char *const *argv);
/*
 * Before a start of the zone's container: when the ZBE mounted as its root
 * is not the one selected now (the zone activated another one and
 * rebooted itself), mount the selected one instead.  Nothing to do on the
 * first start, which zbe_zone_boot has just prepared.
 */
zbe_err_t zbe_zone_prestart(zbe_handle_t *h, const char *zone);

#ifdef __cplusplus
}
#endif
#endif
