/*
 * beadm activate: the host's bootfs (or, in a zone, the active flags of
 * the ZBEs of the running host BE) points at the BE, and the BE is
 * promoted until nothing of it has an origin, so that every older BE can
 * be destroyed without taking this one along.
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

static zbe_err_t
set_bootfs(zbe_handle_t *h, const zbe_state_t *st, const char *be_ds, zbe_undo_t *undo)
{
	char *pool = zbe_pool_of(be_ds);
	char *val = zbe_asprintf("bootfs=%s", be_ds);
	char *old = zbe_asprintf("bootfs=%s", st->bootfs != NULL ? st->bootfs : "");
	zbe_err_t err;

	if (pool == NULL || val == NULL || old == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	} else if ((err = zbe_zpool(h, ZBE_CMD_MUTATE, NULL, "set", val, pool, NULL)) == ZBE_OK) {
		zbe_argv_t a = { 0 };
		zbe_argv_add(&a, h->conf.zpool);
		zbe_argv_add(&a, "set");
		zbe_argv_add(&a, old);
		zbe_argv_add(&a, pool);
		zbe_undo_push(undo, &a);
	}
	free(pool);
	free(val);
	free(old);
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

/* A ZBE of no existing host BE (or untagged): the administrator adopts it
 * for the running host BE; the state is read again to see it so. */
static zbe_err_t
adopt(zbe_op_t *op, const char *name)
{
	zbe_handle_t *h = op->h;
	const zbe_ds_t *be = op->be;
	char *val = zbe_asprintf("%s=%s", ZBE_PROP_PARENTBE, op->st.host_uuid);
	zbe_err_t err = val == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
	    : zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", val, be->name, NULL);

	free(val);
	if (err != ZBE_OK)
		return err;
	if (be->parentbe != NULL) {
		char *old = zbe_asprintf("%s=%s", ZBE_PROP_PARENTBE, be->parentbe);
		zbe_undo_zfs(&op->undo, h, "set", old != NULL ? old : "", be->name, NULL);
		free(old);
	} else {
		zbe_undo_zfs(&op->undo, h, "inherit", ZBE_PROP_PARENTBE, be->name, NULL);
	}
	char *name_ds = strdup(be->name);
	zbe_state_free(&op->st);
	op->have_state = false;
	if (name_ds == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if ((err = zbe_state_read(h, &op->st, ZBE_STATE_BOOTFS, NULL, 0)) == ZBE_OK) {
		op->have_state = true;
		if ((op->be = zbe_tree_find(&op->st.tree, name_ds)) == NULL)
			err = zbe_fail(h, ZBE_ENOENT, name, "vanished while activating");
	}
	free(name_ds);
	return err;
}

zbe_err_t
zbe_activate_locked(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *zones,
    const char *be_ds, const char *uuid, zbe_undo_t *undo)
{
	zbe_err_t err = ZBE_OK;

	if (h->scope == ZBE_SCOPE_HOST) {
		if (st->bootfs == NULL || strcmp(st->bootfs, be_ds) != 0)
			err = set_bootfs(h, st, be_ds, undo);
	} else {
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
	return err;
}

zbe_err_t
zbe_activate(zbe_handle_t *h, const char *name)
{
	zbe_op_t op;
	zbe_err_t err = zbe_op_begin(h, &op, ZBE_OP_BOOTFS | ZBE_OP_ZONES, name, "activate");

	if (err != ZBE_OK)
		return zbe_op_end(&op, err);
	if (h->scope == ZBE_SCOPE_ZONE && h->policy == ZBE_POLICY_ADMIN && op.st.zone_running != NULL)
		err = zbe_fail(h, ZBE_EBUSY, h->zone, "zone is running; halt it first (zoneadm -z %s halt)",
		    h->zone);
	else if (h->scope == ZBE_SCOPE_ZONE && op.st.host_uuid == NULL)
		err = zbe_fail(h, ZBE_ENOROOT, name, "the running host boot environment has no uuid");
	else if (h->scope == ZBE_SCOPE_ZONE && zbe_state_foreign(h, &op.st, op.be)) {
		const zbe_ds_t *owner = zbe_state_host_be_by_uuid(&op.st, op.be->parentbe);
		if (owner != NULL)
			/* taking it would leave that host BE without its zone state */
			err = zbe_fail(h, ZBE_EPERM, name,
			    "belongs to host boot environment '%s'; clone it instead "
			    "(beadm -z %s create -e %s NEWNAME) and activate the clone",
			    zbe_host_be_name(&op.st, owner), h->zone, name);
		else
			err = adopt(&op, name);
	}
	if (err == ZBE_OK)
		err = zbe_activate_locked(h, &op.st, &op.zones, op.be->name, op.be->uuid, &op.undo);
	return zbe_op_end(&op, err);
}
