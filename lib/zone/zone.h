/*
 * Layer 5, zone operations: zonecfg's changes (configure.c), zoneadm
 * list, install, uninstall, boot and ready, halt, the pre-start hook of
 * a zone's container, zlogin, and the zone's broker process (broker.c).
 * Calls every layer below.
 */
#ifndef ZBE_ZONE_H
#define ZBE_ZONE_H

#include "be.h"

/* Start "<broker argv> <zone>" detached and wait for its socket. */
zbe_err_t zbe_broker_start(zbe_handle_t *h, const char *zone);
/* The dataset above a zonepath dataset (the zonepaths' parent), whose
 * tree a zone operation reads; NULL after zbe_fail(ENOMEM). */
char *zbe_zone_parent_dataset(zbe_handle_t *h, const char *zpds);
/* Stop the zone's broker (the one its lock names, also when the pid file
 * is missing) and remove its socket and run directory.  True if one ran. */
bool zbe_broker_stop(zbe_handle_t *h, const char *zone);

/* Left in the zone's run directory by boot for the pre-start hook of the
 * start it makes: the root boot has just selected needs no second look
 * (and no second zfs call). */
#define ZBE_ZONE_FRESH_START "fresh-start"

/* Zone scope: remember zbe as the ZBE the zone booted last (attach's
 * rule), with one zfs call only when it changed; a failure is a warning. */
void zbe_zone_record_booted(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *zbe);

/* ---- the zone's ids on the host side (ids.c) ---- */

/* chown the zonepath to the zone's root and chmod it 0700. */
zbe_err_t zbe_zone_own_zonepath(zbe_handle_t *h, const zbe_zone_conf_t *zc);
/* Before a start: the zone has an id range, its zonepath is its root's
 * and 0700, and every directory above it is searchable by that root.
 * An error says what to change; nothing is changed here. */
zbe_err_t zbe_zone_check_ids(zbe_handle_t *h, const zbe_zone_conf_t *zc);
/* Give the files of the ZBE mounted at root to the zone's ids; unless
 * always, only when its root directory is not the zone root's yet (a ZBE
 * of a zone made before zones had user namespaces). */
zbe_err_t zbe_zone_shift_root(zbe_handle_t *h, const zbe_zone_conf_t *zc, const char *root, bool always);

/* ---- clone (clone.c) ---- */

/* After zpds (of st) was destroyed: destroy the snapshot that "zoneadm
 * clone" took for it, unless another dataset was cloned from it.  A
 * failure is a warning: the zone is gone either way. */
void zbe_zone_drop_clone_snapshot(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *zpds);

#endif
