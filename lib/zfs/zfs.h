/*
 * Layer 2, zfs: spawning zfs and zpool, the tree one zfs call reads, the
 * drivers (what differs between zfs-fuse and OpenZFS) and the undo log
 * of commands.  Calls only base.
 */
#ifndef ZBE_ZFS_H
#define ZBE_ZFS_H

#include "base.h"

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
/* Run a and free it. */
zbe_err_t zbe_run_argv(zbe_handle_t *h, zbe_cmd_kind_t kind, zbe_argv_t *a, char **out);

/* ---- channel programs (program.c) ---- */

/* Write text to <run_dir>/<name> for zfs program (a dry run writes
 * nothing); *path is the file (malloc). */
zbe_err_t zbe_program_file(zbe_handle_t *h, const char *name, const char *text, char **path);
/* Start a: "zfs program -j POOL PATH"; the caller adds the arguments. */
void zbe_program_argv(zbe_handle_t *h, zbe_argv_t *a, const char *pool, const char *path);

/* ---- the tree: one zfs call's worth of datasets (tree.c) ---- */

typedef struct zbe_ds {
	char *name;
	bool snapshot;
	uint64_t used;
	int64_t creation;
	uint64_t createtxg; /* the transaction group that made it: orders what one second made */
	char *origin;      /* NULL when none */
	char *mountpoint;  /* the property */
	bool mountpoint_local; /* set on this dataset, not inherited */
	char *canmount;
	char *uuid;
	char *parentbe;
	char *active;
	char *description;
	bool auto_snap;    /* made by zbe */
	bool policy_auto;  /* a BE with policy=auto: retention may destroy it */
	char *apt_txn;     /* the apt transaction a BE was made for, or NULL */
	char *clone_snap;  /* on a cloned zone's <zpds>: the snapshot clone took for it */
	bool deferred;     /* marked for deferred destroy: ZFS removes it with its last clone */
	bool incomplete;   /* a zone's <zpds> while it is being installed */
	bool detached;     /* a zone's <zpds> after zoneadm detach (and its children) */
	char *last_booted; /* on a zone's <zpds>/rpool: the ZBE it booted last */
	char *move_to;     /* on a zone's <zpds>: the zonepath an unfinished move goes to */
	char *journal;     /* org.zbe:journal (meaningful on a BE container) */
	char *op;          /* org.zbe:op: the operation that made it */
	char *pending;     /* org.zbe:pending: a beadm run updates it */
	char *revert;      /* org.zbe:nextboot-revert (meaningful on the host's BE container) */
	unsigned order;    /* position in the listing (snapshots: creation order) */
} zbe_ds_t;

typedef struct zbe_tree {
	zbe_ds_t *ds;
	size_t n, cap;
	bool no_sources; /* read by zfs list: mountpoint_local is derived */
} zbe_tree_t;

/* The properties a tree read asks for, in this order. */
extern const char *const zbe_tree_props[];

zbe_ds_t *zbe_tree_find(const zbe_tree_t *t, const char *name);
zbe_ds_t *zbe_tree_add(zbe_tree_t *t, const char *name);
void zbe_tree_free(zbe_tree_t *t);
/* Set one property of ds from its text form (as zfs get -Hp prints it). */
zbe_err_t zbe_tree_set(zbe_ds_t *ds, const char *prop, const char *value);
/* Parse "name\tproperty\tvalue\tsource" lines, as zfs get -Hp prints them. */
zbe_err_t zbe_tree_parse_get(zbe_tree_t *t, const char *text);
/* The same a line at a time (a zbe_line_fn), then zbe_tree_finish. */
zbe_err_t zbe_tree_get_line(void *tree, char *line);
/* One line of "zfs list -Hp -o name,<zbe_tree_props>" (a zbe_line_fn).  zfs
 * list tells no property sources: finish derives mountpoint_local. */
zbe_err_t zbe_tree_list_line(void *tree, char *line);
/* After the last line: sort into listing order. */
void zbe_tree_finish(zbe_tree_t *t);
/* zbe_tree_props joined with ',', after first when it is not NULL (malloc). */
char *zbe_tree_props_csv(const char *first);
/* Add the roots to a, run it and hand each line to fn, then finish out. */
zbe_err_t zbe_tree_run(zbe_handle_t *h, zbe_argv_t *a, const char *const *roots, size_t nroots,
    zbe_line_fn *fn, zbe_tree_t *out);

/* ---- the driver seam: what differs between zfs-fuse and OpenZFS ---- */

typedef struct zbe_driver {
	const char *name;
	/* Read roots and everything below them in one call. */
	zbe_err_t (*read_tree)(zbe_handle_t *h, const char *const *roots, size_t nroots,
	    zbe_tree_t *out);
	/*
	 * Mount a BE's dataset at path.  The root of a BE has its own
	 * mountpoint; its children inherit theirs and are mounted after it,
	 * below it.
	 */
	zbe_err_t (*mount)(zbe_handle_t *h, const zbe_ds_t *ds, const char *path, bool is_root);
	/* Unmount what mount did.  restore: for a BE root, the mountpoint it
	 * is given back (zfs-fuse mounted it through a temporary one); NULL
	 * for a child. */
	zbe_err_t (*unmount)(zbe_handle_t *h, const char *dataset, const char *path,
	    bool force, const char *restore);
	/* The pool's bootfs and altroot, each NULL when unset (malloc), with
	 * one zpool call. */
	zbe_err_t (*get_bootfs)(zbe_handle_t *h, const char *pool, char **bootfs, char **altroot);
	/* The pool's size and free bytes, with one zpool call. */
	zbe_err_t (*get_space)(zbe_handle_t *h, const char *pool, uint64_t *size, uint64_t *free);
	/* "zfs rename" remounts every clone of the renamed dataset's
	 * snapshots (zfs-fuse): a mounted one in use makes it fail. */
	bool rename_remounts_clones;
	/* "zfs snapshot a@s b@s ..." takes many datasets at one instant, in
	 * one transaction group (OpenZFS; zfs-fuse takes one dataset). */
	bool multi_snapshot;
	/* "zfs program" runs channel programs (OpenZFS): destroy-and-promote
	 * in one transaction group (zfs/destroy.zcp). */
	bool channel_programs;
	/* "zfs clone" mounts the clone when its mountpoint is a path, whatever
	 * canmount says (zfs-fuse): a BE root is cloned legacy and given its
	 * mountpoint once the whole BE is there. */
	bool clone_mounts;
} zbe_driver_t;

/* The handle's driver (by h->driver_name). */
const zbe_driver_t *zbe_drv(zbe_handle_t *h);

extern const zbe_driver_t zbe_driver_fuse;
extern const zbe_driver_t zbe_driver_openzfs;

/* ---- the undo log of a multi-step operation (undo.c) ---- */

typedef struct zbe_undo {
	zbe_argv_t *steps;
	size_t n, cap;
	bool oom;
} zbe_undo_t;

/* Take over a (it is emptied). */
void zbe_undo_push(zbe_undo_t *u, zbe_argv_t *a);
/* Push "zfs args..." (NULL-terminated). */
void zbe_undo_zfs(zbe_undo_t *u, zbe_handle_t *h, ...);
/* Run the log backwards, keeping the handle's error (a held signal does
 * not stop it).  False when a step failed (each is logged as a warning). */
bool zbe_undo_run(zbe_undo_t *u, zbe_handle_t *h);
/* Forget the log (the operation succeeded). */
void zbe_undo_free(zbe_undo_t *u);

#endif
