/*
 * Layer 1, base: the handle, errors and logging, zbe.conf, names, the
 * lock, the mount table and small helpers.  Every other layer builds on
 * this one; it calls nothing above it.  Not installed.
 *
 * The layers of libzbe, each a folder with one private header, each
 * calling only the ones before it (tests/layers checks it):
 *   base -> zfs, runtime -> state -> be -> zone
 */
#ifndef ZBE_BASE_H
#define ZBE_BASE_H

#include "zbe.h"
#include "zbe_props.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

/* ---- configuration (config.c) ---- */

typedef struct zbe_config {
	char *path;        /* file read, NULL if none */
	char *be_root;     /* NULL: parent of the dataset at system_root */
	char *system_root;
	char *zones_dir;
	char *run_dir;
	char *image_cache; /* zone images kept for the next install (zoneadm install -t) */
	char *zfs;
	char *zpool;
	char *driver;      /* auto, openzfs or zfs-fuse; NULL: auto */
	char *keep;        /* retention: the newest automatic BEs always kept */
	char *min_free;    /* retention: older ones go while the pool's free % is below (0: always) */
	char *apt_snapshot; /* on: the apt hook makes a BE before each transaction */
	char *apt_timeout;  /* seconds the apt hook waits for each beadm */
	char *subuid_file; /* root's subordinate ids, which zones get theirs from */
	char *subgid_file;
} zbe_config_t;

#define ZBE_DEFAULT_KEEP "5"
#define ZBE_DEFAULT_MIN_FREE "20"

zbe_err_t zbe_config_load(zbe_config_t *c, const char *path, bool must_exist,
    char *errbuf, size_t errlen);
void zbe_config_free(zbe_config_t *c);

/* ---- signals held during a mutating operation (signals.c) ---- */

/* SIGINT, SIGTERM and SIGHUP wait while an operation changes a pool
 * (nested holds are counted); children get the mask from before. */
void zbe_signals_hold(zbe_handle_t *h);
/* A held signal that has arrived (it stays pending), or 0. */
int zbe_signal_pending(zbe_handle_t *h);
/* End the hold: a held signal that arrived is taken into h->signal
 * (zbe_interrupted tells the command), not delivered. */
void zbe_signals_release(zbe_handle_t *h);

/* ---- the handle (handle.c) ---- */


typedef enum zbe_scope_kind {
	ZBE_SCOPE_HOST,
	ZBE_SCOPE_ZONE,
} zbe_scope_kind_t;

struct zbe_driver; /* zfs/zfs.h */

struct zbe_handle {
	zbe_config_t conf;
	const char *driver_name;       /* the ZFS this machine runs (handle.c) */
	const struct zbe_driver *drv;  /* its driver, looked up on first use (zfs/driver.c) */
	zbe_log_fn *log_fn;
	void *log_arg;
	bool dry_run;
	unsigned ncommands;
	int lock_fd;
	unsigned lock_depth;
	/* signals held during a mutating operation (signals.c) */
	unsigned hold_depth;
	sigset_t unheld_mask; /* the mask before holding: what children get */
	int signal;           /* the held signal that arrived, or 0 */
	bool undoing;         /* undo and journal steps run even when a signal is pending */

	zbe_err_t err;
	char errmsg[1024];

	char *host_container; /* resolved default of be_root */

	/* scope: the host's BEs, or one zone's (state/zone_scope.c) */
	zbe_scope_kind_t scope;
	zbe_policy_t policy;
	char *container;    /* dataset holding the BEs of the scope */
	char *zone;         /* zone scope: the zone's name */
	char *zonepath;     /* zone scope: its zonepath */
	char *confine_root; /* set while paths are the zone's own: <zonepath>/root,
	                     * which no mount may leave (be/mount_confined.c) */
	bool be_ops_deny;   /* zonecfg be-ops=deny */

	/* what zone operations start (zbe_set_broker and the like) */
	char **broker_argv;
	char *zone_client;
	char *zone_apt_hook; /* the apt hook a Debian zone image gets, or NULL */
	char *prestart_hook; /* "cmd verb" */
};

/* Is this OpenZFS version ("2.1.11-1", "2.3.2-2~bpo12+2") one zbe knows? */
bool zbe_openzfs_version_ok(const char *version);
/* Dataset of the running host BE (mounted at system_root), or NULL. */
char *zbe_running_host_dataset(zbe_handle_t *h);
/* The BE container for the host scope (resolving the default). */
zbe_err_t zbe_host_container(zbe_handle_t *h, const char **out);
/* The mountpoint zbe gives the root of BE dataset: "/" for a host BE (right
 * below the host container), legacy for any other (a zone's).  What
 * zfs-fuse sets back after an unmount: a legacy host BE of an earlier zbe
 * comes out of it in the layout zbe writes now. */
const char *zbe_root_layout(zbe_handle_t *h, const char *dataset);

/* ---- errors and logging (errors.c) ---- */

/* Record an error: "<what>: <why>"; why NULL uses zbe_strerror(err). */
zbe_err_t zbe_fail(zbe_handle_t *h, zbe_err_t err, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Record "<message>: <strerror(e)>" (e 0: the message alone). */
zbe_err_t zbe_fail_sys(zbe_handle_t *h, zbe_err_t err, int e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Put "<context>: " in front of the handle's message; returns its error. */
zbe_err_t zbe_error_prepend(zbe_handle_t *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void zbe_clear_error(zbe_handle_t *h);
void zbe_log(zbe_handle_t *h, zbe_log_level_t lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Clean-up after a failure must not lose the failure: save the error,
 * undo what was done (whose own failures are warned about, never
 * reported instead), restore it.  zbe_error_restore returns the error.
 */
typedef struct zbe_saved_error {
	zbe_err_t err;
	char msg[sizeof(((zbe_handle_t *)0)->errmsg)];
} zbe_saved_error_t;
void zbe_error_save(const zbe_handle_t *h, zbe_saved_error_t *s);
zbe_err_t zbe_error_restore(zbe_handle_t *h, const zbe_saved_error_t *s);

/* ---- small helpers (util.c) ---- */

/* strdup of NULL is NULL; both return NULL when out of memory. */
char *zbe_strdup(const char *s);
char *zbe_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The pool of a dataset name (malloc). */
char *zbe_pool_of(const char *dataset);
/* true if name is parent or a descendant (dataset or snapshot) of parent */
bool zbe_ds_under(const char *name, const char *parent);
/* mkdir -p */
zbe_err_t zbe_mkdir_p(zbe_handle_t *h, const char *dir);
/* Free a NULL-terminated vector of strings. */
void zbe_strv_free(char **v);
/*
 * openat2(2): path below dirfd resolved as resolve says (RESOLVE_IN_ROOT,
 * RESOLVE_NO_SYMLINKS, ...), the way every path a zone controls is
 * opened.  The kernel's EAGAIN (a rename or mount raced a ".." of the
 * lookup) is retried.  A descriptor, or -1 with errno set.
 */
int zbe_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve);
/* A new random uuid, lower case. */
void zbe_new_uuid(char out[37]);

/* ---- mounts (mountinfo.c, libmount) ---- */

/* The zfs dataset mounted exactly at path, or NULL (malloc). */
char *zbe_mounted_dataset_at(const char *path);
/* Where dataset is mounted, or NULL (malloc); the first mount found. */
char *zbe_dataset_mountpoint(const char *dataset);

/* A snapshot of the mount table, for many lookups at once. */
typedef struct zbe_mounts zbe_mounts_t;
zbe_mounts_t *zbe_mounts_read(void);
const char *zbe_mounts_target(const zbe_mounts_t *m, const char *dataset);
const char *zbe_mounts_source(const zbe_mounts_t *m, const char *path);
const char *zbe_mounts_source_by_id(const zbe_mounts_t *m, uint64_t id);
void zbe_mounts_free(zbe_mounts_t *m);
typedef struct zbe_mount {
	const char *source; /* dataset; valid while the table lives */
	const char *target;
	uint64_t id;        /* the mount id */
} zbe_mount_t;
/* Mounts of root_ds and below, deepest first; count or -1; free(*out). */
int zbe_mounts_under(const zbe_mounts_t *m, const char *root_ds, zbe_mount_t **out);
/* Detach every mount strictly below path, deepest first; count or -1. */
int zbe_detach_below(const char *path);

/* ---- the lock (lock.c) ---- */

zbe_err_t zbe_lock(zbe_handle_t *h);
zbe_err_t zbe_lock_shared(zbe_handle_t *h);
void zbe_unlock(zbe_handle_t *h);

#endif
