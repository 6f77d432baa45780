/*
 * Internals shared by the files of libzbe.  Not installed.
 */
#ifndef ZBE_IMPL_H
#define ZBE_IMPL_H

#include "zbe.h"
#include "zbe_props.h"

#include <stdarg.h>
#include <stdio.h>

/* ---- configuration (config.c) ---- */

typedef struct zbe_config {
	char *path;        /* file read, NULL if none */
	char *be_root;     /* NULL: parent of the dataset at system_root */
	char *system_root;
	char *zones_dir;
	char *run_dir;
	char *zfs;
	char *zpool;
} zbe_config_t;

zbe_err_t zbe_config_load(zbe_config_t *c, const char *path, bool must_exist,
    char *errbuf, size_t errlen);
void zbe_config_free(zbe_config_t *c);

/* ---- the tree: one zfs call's worth of datasets (tree.c) ---- */

typedef struct zbe_ds {
	char *name;
	bool snapshot;
	uint64_t used;
	int64_t creation;
	char *origin;      /* NULL when none */
	char *mountpoint;  /* the property */
	bool mountpoint_local; /* set on this dataset, not inherited */
	char *canmount;
	char *uuid;
	char *parentbe;
	char *active;
	char *description;
	bool auto_snap;    /* made by zbe */
	bool deferred;     /* marked for deferred destroy: ZFS removes it with its last clone */
	bool incomplete;   /* a zone's <zpds> while it is being installed */
	unsigned order;    /* position in the listing (snapshots: creation order) */
} zbe_ds_t;

typedef struct zbe_tree {
	zbe_ds_t *ds;
	size_t n, cap;
} zbe_tree_t;

/* The properties a tree read asks for, in this order. */
extern const char *const zbe_tree_props[];

zbe_ds_t *zbe_tree_find(const zbe_tree_t *t, const char *name);
zbe_ds_t *zbe_tree_add(zbe_tree_t *t, const char *name);
void zbe_tree_free(zbe_tree_t *t);
/* Set one property of ds from its text form (as zfs get -Hp prints it). */
zbe_err_t zbe_tree_set(zbe_ds_t *ds, const char *prop, const char *value);
/* true if name is parent or a descendant (dataset or snapshot) of parent */
bool zbe_ds_under(const char *name, const char *parent);
/* Parse "name\tproperty\tvalue\tsource" lines, as zfs get -Hp prints them. */
zbe_err_t zbe_tree_parse_get(zbe_tree_t *t, const char *text);
/* The same a line at a time (a zbe_line_fn), then zbe_tree_finish. */
zbe_err_t zbe_tree_get_line(void *tree, char *line);
void zbe_tree_finish(zbe_tree_t *t);
/* One line of "zfs list -Hp -o name,<zbe_tree_props>" (OpenZFS driver). */
zbe_err_t zbe_tree_list_line(void *tree, char *line);

/* ---- spawning commands (exec.c) ---- */

typedef enum zbe_cmd_kind {
	ZBE_CMD_READ,   /* runs in a dry run too */
	ZBE_CMD_MUTATE, /* a dry run only reports it */
} zbe_cmd_kind_t;

/*
 * Run argv[0] (a path or a name looked up in PATH) with argv, no shell.
 * stdout is returned in *out (malloc) when out is not NULL.  On failure
 * the handle's error names the command and quotes its stderr.
 */
zbe_err_t zbe_run(zbe_handle_t *h, zbe_cmd_kind_t kind, const char *const argv[], char **out);
/* The same, handing each line of stdout to fn as it arrives. */
typedef zbe_err_t zbe_line_fn(void *arg, char *line);
zbe_err_t zbe_run_lines(zbe_handle_t *h, const char *const argv[], zbe_line_fn *fn, void *arg);

/* Shortcuts that put the configured zfs or zpool in front of args. */
zbe_err_t zbe_zfs(zbe_handle_t *h, zbe_cmd_kind_t kind, char **out, ...);
zbe_err_t zbe_zpool(zbe_handle_t *h, zbe_cmd_kind_t kind, char **out, ...);

/* An argv under construction. */
typedef struct zbe_argv {
	char **v;
	size_t n, cap;
	bool oom;
} zbe_argv_t;
void zbe_argv_add(zbe_argv_t *a, const char *s);
void zbe_argv_addf(zbe_argv_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void zbe_argv_free(zbe_argv_t *a);
zbe_err_t zbe_run_argv(zbe_handle_t *h, zbe_cmd_kind_t kind, zbe_argv_t *a, char **out);

/* ---- the driver seam: what differs between zfs-fuse and OpenZFS ---- */

typedef struct zbe_driver {
	const char *name;
	/* Read roots and what is below them (depth -1: all) in one call. */
	zbe_err_t (*read_tree)(zbe_handle_t *h, const char *const *roots, size_t nroots,
	    int depth, zbe_tree_t *out);
	/*
	 * Mount a BE's dataset at path.  The root of a BE has its own
	 * (legacy) mountpoint; its children inherit theirs and are mounted
	 * after it, below it.
	 */
	zbe_err_t (*mount)(zbe_handle_t *h, const zbe_ds_t *ds, const char *path, bool is_root);
	/* Unmount what mount did; for a root, make it legacy again. */
	zbe_err_t (*unmount)(zbe_handle_t *h, const char *dataset, const char *path,
	    bool force, bool is_root);
	/* "zfs rename" remounts every clone of the renamed dataset's
	 * snapshots (zfs-fuse): a mounted one in use makes it fail. */
	bool rename_remounts_clones;
	/* A recursive destroy of snapshots, some of them cloned, is safe.
	 * zfs-fuse wedges the pool on it, so zones are then snapshotted one
	 * by one and nothing needs destroying afterwards. */
	bool recursive_snapshot_destroy_ok;
	/* The pool's bootfs, or NULL (malloc). */
	zbe_err_t (*get_bootfs)(zbe_handle_t *h, const char *pool, char **out);
} zbe_driver_t;

extern const zbe_driver_t zbe_driver_fuse;
extern const zbe_driver_t zbe_driver_openzfs;

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

/* ---- lock (lock.c) ---- */
zbe_err_t zbe_lock(zbe_handle_t *h);
zbe_err_t zbe_lock_shared(zbe_handle_t *h);
void zbe_unlock(zbe_handle_t *h);

/* ---- the handle ---- */

typedef enum zbe_scope_kind {
	ZBE_SCOPE_HOST,
	ZBE_SCOPE_ZONE,
} zbe_scope_kind_t;

struct zbe_handle {
	zbe_config_t conf;
	const zbe_driver_t *drv;
	zbe_log_fn *log_fn;
	void *log_arg;
	bool dry_run;
	unsigned ncommands;
	int lock_fd;
	unsigned lock_depth;

	zbe_err_t err;
	char errmsg[1024];

	char *host_container; /* resolved default of be_root */

	/* scope */
	zbe_scope_kind_t scope;
	zbe_policy_t policy;
	char *container;   /* dataset holding the BEs */
	char *zone;        /* zone name (zone scope) */
	char *zonepath;    /* zone scope */
	char *zone_root_ds;/* dataset mounted at <zonepath>/root, if running */
	char *mount_root;  /* ZBE_POLICY_ZONE: <zonepath>/root; mount paths are the zone's */
	bool be_ops_deny;  /* zonecfg be-ops=deny */

	char **broker_argv; /* zbe_set_broker */
	char *zone_client;  /* zbe_set_zone_client */
	char *prestart_hook;/* zbe_set_prestart_hook: "cmd verb" */
};

/* Record an error: "<what>: <why>"; why NULL uses zbe_strerror(err). */
zbe_err_t zbe_fail(zbe_handle_t *h, zbe_err_t err, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void zbe_log(zbe_handle_t *h, zbe_log_level_t lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void zbe_clear_error(zbe_handle_t *h);

/* The BE container for the host scope (resolving the default). */
zbe_err_t zbe_host_container(zbe_handle_t *h, const char **out);
/* Dataset of the running host BE (mounted at system_root), or NULL. */
char *zbe_running_host_dataset(zbe_handle_t *h);

/* mkdir -p */
zbe_err_t zbe_mkdir_p(zbe_handle_t *h, const char *dir);

/* The pool of a dataset name (malloc). */
char *zbe_pool_of(const char *dataset);

/* xmalloc-style helpers that never return NULL (abort on OOM is not
 * acceptable in a library, so these return NULL and callers check). */
char *zbe_strdup(const char *s);
char *zbe_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
