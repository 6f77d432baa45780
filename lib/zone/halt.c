/* zoneadm halt: the container stops, then its broker, then its root is unmounted. */
#include "zone.h"

#include <stdlib.h>

zbe_err_t
zbe_zone_halt(zbe_handle_t *h, const char *zone)
{
	char *lxcpath = NULL, *rootds = NULL;
	zbe_err_t err;

	if ((err = zbe_zone_admin_scope(h, zone)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	rootds = zbe_zone_mounted_zbe(h);
	if (!zbe_zone_is_running(h, zone)) {
		/* a ready zone has only its root mounted; a zone that died (or a
		 * zoneadm killed half-way) may have left its broker */
		bool broker = !h->dry_run && zbe_broker_stop(h, zone);
		err = rootds != NULL ? zbe_unmount_tree(h, rootds, false)
		    : broker ? ZBE_OK : zbe_fail(h, ZBE_EZONE, zone, "zone is not running");
		goto out;
	}
	if ((lxcpath = zbe_zone_lxcpath(h)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if (!h->dry_run && (err = zbe_lxc_stop(h, zone, lxcpath, 10)) != ZBE_OK) {
		zbe_error_prepend(h, "%s: cannot stop", zone);
		goto out;
	}
	zbe_broker_stop(h, zone);
	if (rootds != NULL)
		err = zbe_unmount_tree(h, rootds, false);
out:
	free(lxcpath);
	free(rootds);
	zbe_unlock(h);
	return err;
}
