/* zoneadm uninstall. */
#include "zone.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The destroy takes several zfs calls (promotions, then leaves first): the
 * zone is marked incomplete before the first, so that one killed half-way
 * is never booted, and the next install or uninstall finishes it.  A
 * failure of the destroy keeps the mark too: part of the zone is gone.
 */
static zbe_err_t
destroy_marked(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *zpds)
{
	zbe_destroy_plan_t plan = { 0 };
	bool marked = false;
	zbe_err_t err = ZBE_OK;

	/* before the plan: making it unmounts the zone's datasets */
	if (!zpds->incomplete) {
		char *mark = zbe_asprintf("%s=incomplete", ZBE_PROP_ZONESTATE);
		err = mark == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", mark, zpds->name, NULL);
		free(mark);
		marked = err == ZBE_OK;
	}
	if (err == ZBE_OK &&
	    (err = zbe_destroy_plan_add(h, st, zpds, ZBE_DESTROY_SNAPSHOTS | ZBE_DESTROY_FORCE_UNMOUNT, &plan)) != ZBE_OK &&
	    marked) {
		/* refused before anything was destroyed: the zone is whole */
		zbe_saved_error_t saved;
		zbe_error_save(h, &saved);
		(void)zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "inherit", ZBE_PROP_ZONESTATE, zpds->name, NULL);
		zbe_error_restore(h, &saved);
	}
	if (err == ZBE_OK)
		err = zbe_destroy_plan_run(h, st, &plan);
	zbe_destroy_plan_free(&plan);
	return err;
}

/* Destroy the zone's datasets, promoting clones that live elsewhere first. */
zbe_err_t
zbe_zone_uninstall(zbe_handle_t *h, const char *zone)
{
	zbe_zone_conf_t zc;
	zbe_state_t st;
	char *zpds = NULL;
	zbe_err_t err;

	if ((err = zbe_zone_conf_dataset(h, zone, &zc, &zpds)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto conf;
	/* the whole pool: clones of the zone's snapshots may live anywhere in it */
	char *pool = zbe_pool_of(zpds);
	const char *roots[] = { pool };
	err = pool == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL) : zbe_state_read(h, &st, 0, roots, 1);
	free(pool);
	if (err != ZBE_OK)
		goto unlock;
	const zbe_ds_t *d = zbe_tree_find(&st.tree, zpds);
	zbe_zone_state_t s = zbe_zone_state_of(h, &st.tree, zone, zpds);
	if (d == NULL)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is not installed");
	else if (s == ZBE_ZONE_RUNNING)
		err = zbe_fail(h, ZBE_EBUSY, zone, "zone is running; halt it first");
	else if ((err = destroy_marked(h, &st, d)) == ZBE_OK)
		zbe_zone_drop_clone_snapshot(h, &st, d);
	if (err == ZBE_OK && !h->dry_run) {
		char *root = zbe_asprintf("%s/root", zc.zonepath);
		if (root != NULL)
			(void)rmdir(root);
		free(root);
		(void)rmdir(zc.zonepath);
	}
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
conf:
	free(zpds);
	zbe_zone_conf_free(&zc);
	return err;
}
