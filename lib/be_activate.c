/*
 * beadm activate: the host's bootfs (or, in a zone, the active flags of
 * the ZBEs of the running host BE) points at the BE, and the BE is
 * promoted until nothing of it has an origin, so that every older BE can
 * be destroyed without taking this one along.
 */
#include "be_ops.h"

#include <stdlib.h>
#include <string.h>

#define PROMOTE_ROUNDS_MAX 256

/* Datasets of the BE that still have an origin, and the dataset each origin is on. */
static zbe_err_t
cloned_datasets(zbe_handle_t *h, const char *be_ds, zbe_argv_t *names, zbe_argv_t *origins)
{
	char *text = NULL;
	zbe_err_t err = zbe_zfs(h, ZBE_CMD_READ, &text, "get", "-H", "-r", "-o", "name,value",
	    ZBE_PROP_ORIGIN, be_ds, NULL);

	for (char *save = NULL, *l = err == ZBE_OK ? strtok_r(text, "\n", &save) : NULL; l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(l, '\t');
		if (tab == NULL)
			continue;
		*tab = '\0';
		if (strchr(l, '@') != NULL)
			continue;
		char *at = strchr(tab + 1, '@');
		if (strcmp(tab + 1, "-") != 0 && at != NULL) {
			*at = '\0';
			zbe_argv_add(names, l);
			zbe_argv_add(origins, tab + 1);
		}
	}
	free(text);
	return err;
}

/*
 * Each promotion is undone by promoting back the dataset that was the
 * origin's owner (it has become a clone of the promoted one).
 */
zbe_err_t
zbe_promote_fully(zbe_handle_t *h, const zbe_state_t *st, const char *be_ds, zbe_undo_t *undo)
{
	(void)st;
	if (h->dry_run) {
		/* the BE may not exist yet: nothing to read, say what would run */
		zbe_log(h, ZBE_LOG_PLAN, "%s promote %s (and each child, until none has an origin)",
		    h->conf.zfs, be_ds);
		return ZBE_OK;
	}
	/* A promotion hands the clone its origin's origin: repeat until none. */
	for (int round = 0; round < PROMOTE_ROUNDS_MAX; round++) {
		zbe_argv_t names = { 0 }, origins = { 0 };
		zbe_err_t err = cloned_datasets(h, be_ds, &names, &origins);
		if (err == ZBE_OK && (names.oom || origins.oom))
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		for (size_t i = 0; err == ZBE_OK && i < names.n; i++) {
			err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "promote", names.v[i], NULL);
			if (err == ZBE_OK && undo != NULL)
				zbe_undo_zfs(undo, h, "promote", origins.v[i], NULL);
		}
		bool done = names.n == 0;
		zbe_argv_free(&names);
		zbe_argv_free(&origins);
		if (err != ZBE_OK || done)
			return err;
	}
	return zbe_fail(h, ZBE_EZFS, be_ds, "still a clone after %d promotions", PROMOTE_ROUNDS_MAX);
}

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

zbe_err_t
zbe_activate_locked(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_roots_t *zones,
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
		err = zbe_promote_fully(h, st, be_ds, undo);
	if (err == ZBE_OK && h->scope == ZBE_SCOPE_HOST && zones != NULL && uuid != NULL)
		err = zbe_zones_promote_for(h, st, zones, uuid, undo);
	return err;
}

zbe_err_t
zbe_activate(zbe_handle_t *h, const char *name)
{
	zbe_state_t st;
	zbe_undo_t undo = { 0 };
	zbe_zone_roots_t zones = { 0 };
	const zbe_ds_t *be;
	zbe_err_t err;

	if (!zbe_name_valid(name))
		return zbe_fail(h, ZBE_ENAME, name, "invalid boot environment name");
	if ((err = zbe_policy_mutate(h)) != ZBE_OK)
		return err;
	if (h->scope == ZBE_SCOPE_HOST && (err = zbe_zone_roots(h, &zones)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto unlock;
	if ((err = zbe_state_read(h, &st, ZBE_STATE_BOOTFS, (const char *const *)zones.parents,
	    zones.nparents)) != ZBE_OK)
		goto unlock;
	if ((err = zbe_find_be(h, &st, name, &be)) != ZBE_OK ||
	    (err = zbe_policy_touch(h, &st, be, "activate")) != ZBE_OK)
		goto out;
	if (h->scope == ZBE_SCOPE_ZONE && h->policy == ZBE_POLICY_ADMIN && st.zone_running != NULL) {
		err = zbe_fail(h, ZBE_EBUSY, h->zone, "zone is running; halt it first (zoneadm -z %s halt)",
		    h->zone);
		goto out;
	}
	if (h->scope == ZBE_SCOPE_ZONE && st.host_uuid == NULL) {
		err = zbe_fail(h, ZBE_ENOROOT, name, "the running host boot environment has no uuid");
		goto out;
	}
	if (h->scope == ZBE_SCOPE_ZONE && zbe_state_foreign(h, &st, be)) {
		const zbe_ds_t *owner = zbe_state_host_be_by_uuid(&st, be->parentbe);
		if (owner != NULL) {
			/* taking it would leave that host BE without its zone state */
			err = zbe_fail(h, ZBE_EPERM, name,
			    "belongs to host boot environment '%s'; clone it instead "
			    "(beadm -z %s create -e %s NEWNAME) and activate the clone",
			    zbe_host_be_name(&st, owner), h->zone, name);
			goto out;
		}
		/* an orphan, or untagged: the administrator adopts it */
		char *val = zbe_asprintf("%s=%s", ZBE_PROP_PARENTBE, st.host_uuid);
		err = val == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", val, be->name, NULL);
		free(val);
		if (err == ZBE_OK && be->parentbe != NULL) {
			char *old = zbe_asprintf("%s=%s", ZBE_PROP_PARENTBE, be->parentbe);
			zbe_undo_zfs(&undo, h, "set", old != NULL ? old : "", be->name, NULL);
			free(old);
		} else if (err == ZBE_OK) {
			zbe_undo_zfs(&undo, h, "inherit", ZBE_PROP_PARENTBE, be->name, NULL);
		}
		if (err == ZBE_OK) {
			/* re-read so that the flags see the adopted ZBE */
			char *name_ds = strdup(be->name);
			zbe_state_free(&st);
			err = name_ds == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
			    : zbe_state_read(h, &st, ZBE_STATE_BOOTFS, NULL, 0);
			be = err == ZBE_OK ? zbe_tree_find(&st.tree, name_ds) : NULL;
			free(name_ds);
			if (err == ZBE_OK && be == NULL)
				err = zbe_fail(h, ZBE_ENOENT, name, "vanished while activating");
			if (err != ZBE_OK) {
				zbe_undo_run(&undo, h);
				goto out;
			}
		}
	}
	if (err == ZBE_OK)
		err = zbe_activate_locked(h, &st, &zones, be->name, be->uuid, &undo);
	if (err != ZBE_OK)
		zbe_undo_run(&undo, h);
out:
	zbe_undo_free(&undo);
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
	zbe_zone_roots_free(&zones);
	return err;
}
