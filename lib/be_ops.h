/* What the operation files share. */
#ifndef ZBE_BE_OPS_H
#define ZBE_BE_OPS_H

#include "be_state.h"
#include "undo.h"

zbe_err_t zbe_new_uuid(char out[37]);

/* Set bootfs (host) or the active flags (zone), then promote the BE until
 * none of its datasets has an origin.  Called with the lock held. */
struct zbe_zone_roots;
zbe_err_t zbe_activate_locked(zbe_handle_t *h, const zbe_state_t *st,
    const struct zbe_zone_roots *zones, const char *be_ds, const char *uuid, zbe_undo_t *undo);
/* Promote every dataset of the BE rooted at be_ds until none has an origin. */
zbe_err_t zbe_promote_fully(zbe_handle_t *h, const zbe_state_t *st, const char *be_ds,
    zbe_undo_t *undo);

/* ---- zone policy (policy.c) ---- */
/* May this scope change anything at all?  (be-ops=deny) */
zbe_err_t zbe_policy_mutate(zbe_handle_t *h);
/* May this scope act on be?  verb names the action for the message. */
zbe_err_t zbe_policy_touch(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be,
    const char *verb);
/* Zone scope: the ZBE that boots next (active for the running host BE), if exactly one. */
const zbe_ds_t *zbe_zone_next_be(zbe_handle_t *h, const zbe_state_t *st);

/* Look up a BE by name, with the usual errors. */
zbe_err_t zbe_find_be(zbe_handle_t *h, const zbe_state_t *st, const char *name,
    const zbe_ds_t **out);

/* be_destroy.c: destroy-and-promote, lock held, checks done */
zbe_err_t zbe_destroy_locked(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, int flags);

/* be_mount.c */
zbe_err_t zbe_mount_locked(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be,
    const char *mountpoint, char **out);
zbe_err_t zbe_unmount_ds(zbe_handle_t *h, const char *root_ds, bool force);
/* Unmount a BE; when it is mounted in a zone's tree (a zone's request, or the
 * administrator's beadm -z below <zonepath>/root/), without trusting its paths. */
zbe_err_t zbe_unmount_be(zbe_handle_t *h, const zbe_ds_t *be, bool force);
/* Mount the BE's datasets with its root at path (nothing more). */
zbe_err_t zbe_mount_tree(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *path);

/* The name of a directory beadm makes for a mount without a mountpoint, in /tmp. */
#define ZBE_MNT_DIR_PREFIX "zbe-mnt."

/* mount_confined.c: mounts a zone asks for, paths as the zone sees them,
 * never leaving h->mount_root.  zpath NULL: a new directory in its /tmp. */
zbe_err_t zbe_mount_confined(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be,
    const char *zpath, char **out);
zbe_err_t zbe_unmount_confined(zbe_handle_t *h, const zbe_ds_t *be, bool force);
/* The dataset mounted right at zpath in the zone, or *out NULL. */
zbe_err_t zbe_confined_dataset_at(zbe_handle_t *h, const char *zpath, char **out);

/* be_zones.c: host BE operations carry the zones along */
typedef struct zbe_zone_roots {
	char **names;  /* zone names */
	char **rpools; /* their <zpds>/rpool */
	size_t n;
	char **parents; /* the datasets holding the <zpds>, each once: read these */
	size_t nparents;
} zbe_zone_roots_t;
zbe_err_t zbe_zone_roots(zbe_handle_t *h, zbe_zone_roots_t *z);
void zbe_zone_roots_free(zbe_zone_roots_t *z);
zbe_err_t zbe_zones_carry(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_roots_t *z,
    const char *src_uuid, const char *new_uuid, const char *snap, zbe_undo_t *undo);
zbe_err_t zbe_zones_promote_for(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_roots_t *z,
    const char *uuid, zbe_undo_t *undo);
zbe_err_t zbe_zones_destroy_for(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_roots_t *z,
    const char *uuid, int flags);

#endif
