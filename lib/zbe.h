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
	bool next;          /* R: active on reboot (zone: selected at next boot) */
	bool foreign;       /* !: zone BE of another host BE, not bootable now */
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
} zbe_create_opts_t;

zbe_err_t zbe_create(zbe_handle_t *h, const zbe_create_opts_t *o);
/* beadm create BE@snapshot: snapshot -r of the BE */
zbe_err_t zbe_snapshot(zbe_handle_t *h, const char *be, const char *snap);

zbe_err_t zbe_activate(zbe_handle_t *h, const char *be);

enum {
	ZBE_DESTROY_FORCE_UNMOUNT = 1 << 0, /* -f */
	ZBE_DESTROY_SNAPSHOTS = 1 << 1,     /* -s */
};
zbe_err_t zbe_destroy(zbe_handle_t *h, const char *be, int flags);
zbe_err_t zbe_destroy_snapshot(zbe_handle_t *h, const char *be, const char *snap);

/* mountpoint NULL: a new temporary directory; *out (malloc) tells where. */
zbe_err_t zbe_mount(zbe_handle_t *h, const char *be, const char *mountpoint, char **out);
/* be_or_path: a BE name or the path it is mounted at */
zbe_err_t zbe_unmount(zbe_handle_t *h, const char *be_or_path, bool force);

zbe_err_t zbe_rename(zbe_handle_t *h, const char *be, const char *newname);
zbe_err_t zbe_rollback(zbe_handle_t *h, const char *be, const char *snap);

#ifdef __cplusplus
}
#endif
#endif
