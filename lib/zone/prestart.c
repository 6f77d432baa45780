/*
 * Before every start of a zone's container, also when the zone reboots
 * itself, lxc runs zoneadm prestart: when the ZBE mounted as the zone's
 * root is not the one selected now (the zone activated another one and
 * rebooted), the selected one is mounted instead.
 */
#include "zone.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The ZBE mounted as root, and the one selected now; true when they differ. */
static bool
root_outdated(zbe_handle_t *h, const char *root, zbe_state_t *st,
    const zbe_ds_t **zbe, char **cur, zbe_err_t *err)
{
	*cur = NULL;
	if ((*err = zbe_state_read(h, st, 0, NULL, 0)) != ZBE_OK)
		return false;
	if ((*err = zbe_zone_select(h, st, zbe)) != ZBE_OK)
		return false;
	*cur = zbe_mounted_dataset_at(root);
	return *cur == NULL || strcmp(*cur, (*zbe)->name) != 0;
}

/* Mount zbe at root, shared; on failure the zone does not start and keeps
 * the root it had (cur), as a ready zone. */
static zbe_err_t
switch_root(zbe_handle_t *h, const zbe_zone_conf_t *zc, const zbe_state_t *st, const zbe_ds_t *zbe,
    const char *cur, const char *root)
{
	bool mounted = false;
	zbe_err_t err;

	if ((err = zbe_mkdir_p(h, root)) == ZBE_OK && (err = zbe_drv(h)->mount(h, zbe, root, true)) == ZBE_OK) {
		mounted = true;
		/* a ZBE of the zone's days before user namespaces gets its ids now */
		if (!h->dry_run && (err = zbe_zone_shift_root(h, zc, root, false)) == ZBE_OK)
			err = zbe_lxc_make_shared(h, root);
	}
	if (err != ZBE_OK) {
		zbe_saved_error_t saved;
		zbe_error_save(h, &saved);
		if (mounted)
			(void)zbe_unmount_tree(h, zbe->name, true);
		const zbe_ds_t *old = cur != NULL ? zbe_tree_find(&st->tree, cur) : NULL;
		if (old != NULL)
			(void)zbe_drv(h)->mount(h, old, root, true);
		err = zbe_error_restore(h, &saved);
	}
	return err;
}

zbe_err_t
zbe_zone_prestart(zbe_handle_t *h, const char *zone)
{
	zbe_zone_conf_t zc;
	zbe_state_t st;
	const zbe_ds_t *zbe = NULL;
	char *root = NULL, *cur = NULL;
	zbe_err_t err;

	if ((err = zbe_zone_admin_scope(h, zone)) != ZBE_OK)
		return err;
	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	if ((root = zbe_asprintf("%s/root", zc.zonepath)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto conf;
	}
	/* the start zoneadm boot makes: it has just selected and mounted the root */
	char *marker = zbe_zone_run_file(h, zone, ZBE_ZONE_FRESH_START);
	bool fresh = marker != NULL && unlink(marker) == 0;
	free(marker);
	if (fresh)
		goto conf;
	/* a first look without the lock: zoneadm boot holds it while it starts the zone */
	bool outdated = root_outdated(h, root, &st, &zbe, &cur, &err);
	zbe_state_free(&st);
	free(cur);
	if (!outdated)
		goto conf;
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto conf;
	if (root_outdated(h, root, &st, &zbe, &cur, &err)) {
		zbe_log(h, ZBE_LOG_INFO, "zone %s reboots on %s", zone, zbe_be_name(&st, zbe));
		if (cur == NULL || (err = zbe_unmount_tree(h, cur, false)) == ZBE_OK)
			err = switch_root(h, &zc, &st, zbe, cur, root);
		if (err == ZBE_OK)
			zbe_zone_record_booted(h, &st, zbe);
	}
	zbe_state_free(&st);
	free(cur);
	zbe_unlock(h);
conf:
	free(root);
	zbe_zone_conf_free(&zc);
	return err;
}
