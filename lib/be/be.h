/*
 * Layer 4, BE operations: create, activate, destroy, mount, rename,
 * rollback, prune and list of the BEs of a scope, host BE operations carrying
 * the zones' BEs along, and the pieces they share (the operation frame,
 * promotion, destroy-and-promote, mounting a BE's tree).  Calls base,
 * zfs, runtime and state.
 *
 * Within the layer, files call down this list and never up it:
 *   journal, promote, mount_stage, destroy_program -> mount_tree -> mount_confined -> mount
 *   -> destroy_promote, activation, bootable, rollback_steps, create_instant -> recover -> op
 *   -> carry, activate, destroy, create, mount_cmd, snapshot, rename, rollback, list
 *   -> prune (destroy's user)
 */
#ifndef ZBE_BE_H
#define ZBE_BE_H

#include "state.h"

/* ---- the frame of an operation (op.c) ---- */

enum {
	ZBE_OP_BOOTFS = 1 << 0, /* the state includes the pool's bootfs */
	ZBE_OP_ZONES = 1 << 1,  /* host scope: the zones' BE containers are read too */
	/* it may give a host BE mountpoint=/ (zfs-fuse's mounts set it back):
	 * refused, before anything is done, where that is not safe */
	ZBE_OP_LAYOUT = 1 << 2,
};

typedef struct zbe_op {
	zbe_handle_t *h;
	zbe_state_t st;
	zbe_zone_containers_t zones; /* with ZBE_OP_ZONES in the host scope */
	const zbe_ds_t *be;          /* the BE named to zbe_op_begin */
	zbe_undo_t undo;             /* what zbe_op_end undoes on failure */
	bool locked, have_state, held;
	char opid[40];               /* the journal's operation id, "" before zbe_journal_begin */
	bool journaled;              /* zbe_op_end clears the journal */
} zbe_op_t;

/*
 * Begin a mutating operation: check be's name (when not NULL) and that
 * this scope may change anything, take the lock, read the state once,
 * then find be and check that this scope may <verb> it (verb NULL: no
 * check).  zbe_op_end must follow, also on failure.
 */
zbe_err_t zbe_op_begin(zbe_handle_t *h, zbe_op_t *op, unsigned flags, const char *be,
    const char *verb);
/* The same for an operation on be@snap: both names are checked first. */
zbe_err_t zbe_op_begin_snap(zbe_handle_t *h, zbe_op_t *op, const char *be, const char *snap,
    const char *verb);
/* ZBE_EINCOMPLETE when be was left half-made by an interrupted operation. */
zbe_err_t zbe_refuse_incomplete(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be);
/* End it: on err, run the undo log (keeping err); then unlock and free.
 * Returns err. */
zbe_err_t zbe_op_end(zbe_op_t *op, zbe_err_t err);

/* ---- the journal (journal.c) ---- */

/* Record on the scope's container what op is about to do (one zfs set):
 * kind and arg as state.h's ZBE_JOURNAL_* say.  zbe_op_end clears it
 * after the last step, or after a complete undo. */
zbe_err_t zbe_journal_begin(zbe_op_t *op, const char *kind, const char *be, const char *arg);
/* Give op its opid without setting the journal (a channel program sets
 * it: the caller then sets op->journaled), and the journal's value. */
void zbe_journal_open(zbe_op_t *op);
void zbe_journal_value(const zbe_op_t *op, const char *kind, const char *be, const char *arg, char *val,
    size_t len);
/* Say the operation now does something else (create -a: activating). */
zbe_err_t zbe_journal_switch(zbe_op_t *op, const char *kind, const char *be, const char *arg);
/* "-o org.zbe:op=<opid>" for a zfs clone or snapshot of a journaled op. */
void zbe_journal_tag(const zbe_op_t *op, zbe_argv_t *a);
zbe_err_t zbe_journal_clear(zbe_handle_t *h, const char *container);

/* ---- recovery of an interrupted operation (recover.c) ---- */

/* Undo (create) or finish (the others) the operation journal j names;
 * then clear it.  Lock held; st read with the zones and bootfs.  *what
 * says what was done (static text). */
zbe_err_t zbe_recover(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *zones,
    const zbe_journal_t *j, const char **what);

/* Destroy each BE (and, host scope, the zones' BEs of it) that a beadm run
 * was updating when it died, saying so; lock held, st with the zones. */
zbe_err_t zbe_recover_runs(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *zones);

/* ---- promotion (promote.c) ---- */

/* Promote every dataset of the BE rooted at be_ds until none has an origin. */
zbe_err_t zbe_promote_fully(zbe_handle_t *h, const char *be_ds, zbe_undo_t *undo);

/* ---- the staging area of a mount (mount_stage.c) ---- */

typedef struct zbe_stage {
	char *dir;  /* <run_dir>/stage.XXXXXX, a private tmpfs */
	char *slot; /* <dir>/be: where zfs mounts a dataset first */
	char *tree; /* <dir>/tree: where a BE's tree is put together */
} zbe_stage_t;

zbe_err_t zbe_stage_open(zbe_handle_t *h, zbe_stage_t *s);
/* Unmount and remove it (what was mounted in it must have moved out). */
void zbe_stage_close(zbe_stage_t *s);
/* Move the mount whose root fromfd is onto the directory tofd (move_mount). */
int zbe_move_onto(int fromfd, int tofd);

/* ---- mounting a BE's datasets (mount_tree.c) ---- */

/* The name of a directory beadm makes for a mount without a mountpoint, in /tmp. */
#define ZBE_MNT_DIR_PREFIX "zbe-mnt."
#define ZBE_MNT_TMP_PREFIX "/tmp/" ZBE_MNT_DIR_PREFIX

/* Mount the BE's datasets as one tree onto the directory targetfd, each
 * child in the staging area first and then moved onto its directory,
 * opened beneath the BE's root without following a symlink (a symlink or
 * a non-directory in the way: refused, nothing left mounted).  shown:
 * the target's path, for messages and the -n plan (targetfd -1 then). */
zbe_err_t zbe_mount_tree(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, int targetfd,
    const char *shown);
/* Unmount root_ds and what is mounted below it, deepest first. */
zbe_err_t zbe_unmount_tree(zbe_handle_t *h, const char *root_ds, bool force);
/* Host scope, system_root other than "/": the pool's altroot (st read with
 * bootfs) must be system_root, or a BE mounted at "/" would be mounted
 * over this machine's own root.  Refuses with what to do. */
zbe_err_t zbe_check_root_layout(zbe_handle_t *h, const zbe_state_t *st);
/* ZBE_OP_BOOTFS when zbe_check_root_layout needs the altroot read. */
unsigned zbe_root_layout_flags(const zbe_handle_t *h);

/* ---- mounts a zone asks for (mount_confined.c) ---- */

/* Paths as the zone sees them, never leaving h->confine_root.
 * zpath NULL: a new directory in its /tmp. */
zbe_err_t zbe_mount_confined(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be,
    const char *zpath, char **out);
zbe_err_t zbe_unmount_confined(zbe_handle_t *h, const zbe_ds_t *be, bool force);
/* The dataset mounted right at zpath in the zone, or *out NULL. */
zbe_err_t zbe_confined_dataset_at(zbe_handle_t *h, const char *zpath, char **out);

/* ---- beadm mount / unmount (mount.c) ---- */

zbe_err_t zbe_mount_locked(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be,
    const char *mountpoint, char **out);
/* Mount be: the confined way when the path is in a zone's tree (*out as
 * the caller names paths: the zone's for a zone, the host's for the admin). */
zbe_err_t zbe_mount_be(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *mountpoint,
    char **out);
/* Unmount a BE; when it is mounted in a zone's tree (a zone's request, or the
 * administrator's beadm -z below <zonepath>/root/), without trusting its paths. */
zbe_err_t zbe_unmount_be(zbe_handle_t *h, const zbe_ds_t *be, bool force);

/* ---- destroy-and-promote (destroy_promote.c) ---- */

/* One step: promote a clone, or destroy a dataset or a snapshot with
 * everything below it (as zfs destroy -r). */
typedef struct zbe_destroy_step {
	bool promote;
	char *target;
	const zbe_ds_t *be; /* the BE the step is for (messages) */
} zbe_destroy_step_t;

typedef struct zbe_destroy_plan {
	zbe_destroy_step_t *steps;
	size_t n, cap;
} zbe_destroy_plan_t;

/* Check be for destruction, unmount it (ZBE_DESTROY_FORCE_UNMOUNT) and add
 * its steps to plan.  Lock held, the operation's own checks done. */
zbe_err_t zbe_destroy_plan_add(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, int flags,
    zbe_destroy_plan_t *plan);
/* Add the ZBEs, in every zone, of the host BE with this uuid. */
zbe_err_t zbe_destroy_plan_zones(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *z,
    const char *uuid, int flags, zbe_destroy_plan_t *plan);
/* Run the plan: zfs commands one by one, or one channel program per pool. */
zbe_err_t zbe_destroy_plan_run(zbe_handle_t *h, const zbe_state_t *st, const zbe_destroy_plan_t *plan);
void zbe_destroy_plan_free(zbe_destroy_plan_t *plan);
/* Plan and run the destruction of one BE. */
zbe_err_t zbe_destroy_locked(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, int flags);

/* ---- the plan as one channel program (destroy_program.c) ---- */

/* One "zfs program" per pool the plan touches (steps in their order). */
zbe_err_t zbe_destroy_program(zbe_handle_t *h, const zbe_destroy_plan_t *plan);
/* Has anything but the datasets under except_under and except_too been
 * cloned from snapname (or the same snapshot of a child)? */
bool zbe_snapshot_has_clones(const zbe_state_t *st, const char *snapname, const char *except_under,
    const char *except_too);

/* ---- rolling a BE back (rollback_steps.c) ---- */

/* Roll every dataset of be that has @snap back to it. */
zbe_err_t zbe_rollback_steps(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *snap);
/* How many datasets of be have @snap. */
size_t zbe_rollback_count(const zbe_state_t *st, const zbe_ds_t *be, const char *snap);

/* ---- create's first change on OpenZFS (create_instant.c) ---- */

/* One channel program: the journal of creating be_name, snap of every
 * dataset of src and of each zones[i] in the container's pool (set to
 * NULL as taken: the others are the caller's), and src's locally set
 * properties in *local (malloc, as zfs get -H -s local -o
 * name,property,value says them; a dry run, which only reports the
 * program, leaves *local as it is).  Sets op's opid and journaled, and
 * the undo of the snapshots. */
zbe_err_t zbe_create_instant(zbe_op_t *op, const char *be_name, const zbe_ds_t *src, const zbe_ds_t **zones,
    const char *snap, char **local);

/* ---- host BE operations carry the zones along (carry.c) ---- */

/* For each zone, its ZBE that belongs to the host BE src_uuid, or NULL
 * where there is none or more than one (a warning says so); free(*out). */
zbe_err_t zbe_zones_sources(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *z,
    const char *src_uuid, const zbe_ds_t ***out);
/* Clone each zone's source ZBE @snap into its next ZBE<n> for the new host
 * BE (op's zones and state; tagged with its journal, undone by its log). */
zbe_err_t zbe_zones_carry(zbe_op_t *op, const zbe_ds_t *const *src, const char *new_uuid, const char *snap);

/* ---- activation (activate.c) ---- */

/* zpool set bootfs=be_ds on its pool (no undo). */
zbe_err_t zbe_set_bootfs(zbe_handle_t *h, const char *be_ds);
/* Set bootfs (host) or the active flags (zone), then promote the BE (and,
 * host scope, each zone's active ZBE of it) until none has an origin. */
zbe_err_t zbe_activate_locked(zbe_handle_t *h, const zbe_state_t *st,
    const zbe_zone_containers_t *zones, const char *be_ds, const char *uuid, zbe_undo_t *undo);
/* beadm activate -t: record permanent (a BE name) as the BE to return to
 * on the host's container, then point bootfs at be_ds.  No promotion: the
 * permanent BE stays what the others depend on. */
zbe_err_t zbe_activate_once_locked(zbe_handle_t *h, const zbe_state_t *st, const char *be_ds,
    const char *permanent, zbe_undo_t *undo);
/* ---- what activation checks (bootable.c) ---- */

/* Host scope: refuse a BE without a kernel and its initramfs in its /boot
 * (mounted for the look when it is not), unless /boot is a file system of
 * its own that the BEs share. */
zbe_err_t zbe_check_bootable(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be);
/* Set (value NULL: clear) the one-time activation's marker (no undo). */
zbe_err_t zbe_set_revert(zbe_handle_t *h, const zbe_state_t *st, const char *value);

#endif
