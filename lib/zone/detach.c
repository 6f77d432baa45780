/*
 * zoneadm detach.  The zone's datasets stay where they are; <zpds> is
 * marked org.zbe:zonestate=detached, so the zone no longer boots and lists
 * as configured (illumos).  One zfs call: nothing can be half-made.  The
 * mark travels with "zfs send -R" of <zpds>, so a copy sent after detach
 * arrives detached, and attach is its last step.
 */
#include "zone.h"

#include <stdlib.h>
#include <string.h>

zbe_err_t
zbe_zone_detach(zbe_handle_t *h, const char *zone)
{
	zbe_zone_conf_t zc;
	zbe_state_t st;
	char *zpds = NULL, *rpool = NULL;
	zbe_err_t err;

	if ((err = zbe_zone_conf_dataset(h, zone, &zc, &zpds)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto unlock;
	const char *roots[] = { zpds };
	if ((rpool = zbe_asprintf("%s/rpool", zpds)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto unlock;
	}
	/* the zone not installed: its dataset is missing, which zfs refuses to read */
	if ((err = zbe_state_read(h, &st, 0, roots, 1)) != ZBE_OK) {
		if (strstr(zbe_errmsg(h), "does not exist") != NULL)
			err = zbe_fail(h, ZBE_EZONE, zone, "zone is not installed");
		goto unlock;
	}
	const zbe_ds_t *d = zbe_tree_find(&st.tree, zpds);
	if (d == NULL || zbe_tree_find(&st.tree, rpool) == NULL)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is not installed");
	else if (d->detached)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is already detached");
	else if (d->incomplete)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is incomplete: install or uninstall it");
	else if (d->move_to != NULL)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is being moved to %s: zoneadm -z %s move %s again "
		    "finishes it", d->move_to, zone, d->move_to);
	else if (zbe_zone_is_running(h, zone))
		err = zbe_fail(h, ZBE_EBUSY, zone, "zone is running: halt it first");
	else if (zbe_zone_root_mounted(h, zone))
		err = zbe_fail(h, ZBE_EBUSY, zone, "zone is ready (its root is mounted): halt it first");
	else {
		char *mark = zbe_asprintf("%s=%s", ZBE_PROP_ZONESTATE, ZBE_ZONESTATE_DETACHED);
		err = mark == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", mark, zpds, NULL);
		free(mark);
	}
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
	free(zpds);
	free(rpool);
	zbe_zone_conf_free(&zc);
	return err;
}
