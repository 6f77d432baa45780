/*
 * The steps of an activation, shared by beadm activate, create -a and
 * the recovery of an interrupted activation: the zone's active flags,
 * the promotions, then the host's bootfs, last, so that a boot before
 * the end still finds the BE that was active.
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>

static zbe_err_t
set_active(zbe_handle_t *h, const char *ds, bool on, zbe_undo_t *undo)
{
	char *val = zbe_asprintf("%s=%s", ZBE_PROP_ACTIVE, on ? "on" : "off");
	char *old = zbe_asprintf("%s=%s", ZBE_PROP_ACTIVE, on ? "off" : "on");
	zbe_err_t err;

	if (val == NULL || old == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	else if ((err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", val, ds, NULL)) == ZBE_OK)
		zbe_undo_zfs(undo, h, "set", old, ds, NULL);
	free(val);
	free(old);
	return err;
}

zbe_err_t
zbe_set_bootfs(zbe_handle_t *h, const char *be_ds)
{
	char *pool = zbe_pool_of(be_ds), *val = zbe_asprintf("bootfs=%s", be_ds);
	zbe_err_t err = pool == NULL || val == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
	    : zbe_zpool(h, ZBE_CMD_MUTATE, NULL, "set", val, pool, NULL);

	free(pool);
	free(val);
	return err;
}

static zbe_err_t
set_bootfs(zbe_handle_t *h, const zbe_state_t *st, const char *be_ds, zbe_undo_t *undo)
{
	char *pool = zbe_pool_of(be_ds);
	char *old = zbe_asprintf("bootfs=%s", st->bootfs != NULL ? st->bootfs : "");
	zbe_err_t err;

	if (pool == NULL || old == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	} else if ((err = zbe_set_bootfs(h, be_ds)) == ZBE_OK) {
		zbe_argv_t a = { 0 };
		zbe_argv_add(&a, h->conf.zpool);
		zbe_argv_add(&a, "set");
		zbe_argv_add(&a, old);
		zbe_argv_add(&a, pool);
		zbe_undo_push(undo, &a);
	}
	free(pool);
	free(old);
	return err;
}

/*
 * The marker of a one-time activation on the host's container: set to
 * value (NULL: cleared), undone back to old (NULL: cleared).
 */
static zbe_err_t
set_revert(zbe_handle_t *h, const zbe_state_t *st, const char *value, const char *old, zbe_undo_t *undo)
{
	char *val = value != NULL ? zbe_asprintf("%s=%s", ZBE_PROP_NEXTBOOT_REVERT, value) : NULL;
	char *prev = old != NULL ? zbe_asprintf("%s=%s", ZBE_PROP_NEXTBOOT_REVERT, old) : NULL;
	zbe_err_t err;

	if ((value != NULL && val == NULL) || (old != NULL && prev == NULL))
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	else if (value != NULL)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", val, st->host_container, NULL);
	else
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "inherit", ZBE_PROP_NEXTBOOT_REVERT, st->host_container,
		    NULL);
	if (err == ZBE_OK && old != NULL)
		zbe_undo_zfs(undo, h, "set", prev, st->host_container, NULL);
	else if (err == ZBE_OK)
		zbe_undo_zfs(undo, h, "inherit", ZBE_PROP_NEXTBOOT_REVERT, st->host_container, NULL);
	free(val);
	free(prev);
	return err;
}

zbe_err_t
zbe_set_revert(zbe_handle_t *h, const zbe_state_t *st, const char *value)
{
	zbe_undo_t undo = { 0 };
	zbe_err_t err = set_revert(h, st, value, NULL, &undo);

	zbe_undo_free(&undo);
	return err;
}

/* Host scope: each zone's active ZBE of the host BE uuid, promoted too. */
static zbe_err_t
promote_zones(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *z,
    const char *uuid, zbe_undo_t *undo)
{
	zbe_err_t err = ZBE_OK;

	for (size_t i = 0; i < z->n && err == ZBE_OK; i++) {
		size_t count;
		const zbe_ds_t *d = zbe_zbe_of(st, z->containers[i], uuid, true, &count);
		if (count == 1)
			err = zbe_promote_fully(h, d->name, undo);
	}
	return err;
}

zbe_err_t
zbe_activate_locked(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *zones,
    const char *be_ds, const char *uuid, zbe_undo_t *undo)
{
	zbe_err_t err = ZBE_OK;

	if (h->scope == ZBE_SCOPE_ZONE) {
		const zbe_ds_t *target = zbe_tree_find(&st->tree, be_ds);
		/* off for the others of this host BE first, so two are never on */
		for (size_t i = 0; err == ZBE_OK && i < st->tree.n; i++) {
			const zbe_ds_t *d = &st->tree.ds[i];
			if (zbe_state_is_be(st, d) && zbe_state_next(h, st, d) && strcmp(d->name, be_ds) != 0)
				err = set_active(h, d->name, false, undo);
		}
		if (err == ZBE_OK && (target == NULL || target->active == NULL ||
		    strcmp(target->active, "on") != 0))
			err = set_active(h, be_ds, true, undo);
	}
	if (err == ZBE_OK)
		err = zbe_promote_fully(h, be_ds, undo);
	if (err == ZBE_OK && h->scope == ZBE_SCOPE_HOST && zones != NULL && uuid != NULL)
		err = promote_zones(h, st, zones, uuid, undo);
	/*
	 * A pending one-time activation names this BE as the one to return
	 * to before bootfs moves, and goes after: a boot in between comes up
	 * in the one-time BE once or in this one, never back in the old one.
	 */
	const char *revert = h->scope == ZBE_SCOPE_HOST ? zbe_state_revert(st) : NULL;
	const char *name = be_ds + strlen(st->container) + 1;
	bool moves = st->bootfs == NULL || strcmp(st->bootfs, be_ds) != 0;
	if (err == ZBE_OK && revert != NULL && moves && strcmp(revert, name) != 0)
		err = set_revert(h, st, name, revert, undo);
	/* bootfs last: a boot until then still finds the BE that was active */
	if (err == ZBE_OK && h->scope == ZBE_SCOPE_HOST && moves)
		err = set_bootfs(h, st, be_ds, undo);
	if (err == ZBE_OK && revert != NULL)
		err = set_revert(h, st, NULL, name, undo);
	return err;
}

zbe_err_t
zbe_activate_once_locked(zbe_handle_t *h, const zbe_state_t *st, const char *be_ds, const char *permanent,
    zbe_undo_t *undo)
{
	const char *revert = zbe_state_revert(st);
	zbe_err_t err = ZBE_OK;

	/* the way back first: a boot before bootfs moves just clears it */
	if (revert == NULL || strcmp(revert, permanent) != 0)
		err = set_revert(h, st, permanent, revert, undo);
	if (err == ZBE_OK && (st->bootfs == NULL || strcmp(st->bootfs, be_ds) != 0))
		err = set_bootfs(h, st, be_ds, undo);
	return err;
}

