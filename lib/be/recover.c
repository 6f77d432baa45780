/*
 * Recovery of an operation a kill, a crash or a power cut interrupted
 * (its journal is still on the container).  A create is undone: what it
 * made carries its opid, and the BE it names did not exist before it
 * began.  The others are finished, since their first step already
 * changed what the administrator sees and their steps can run again:
 * an activation promotes the rest and sets bootfs (a one-time one sets
 * bootfs while its marker is there), a destroy destroys
 * what is left, a rollback rolls the rest back, a rename moves bootfs.
 */
#include "be.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
tagged(const zbe_ds_t *d, const char *opid)
{
	return d->op != NULL && strcmp(d->op, opid) == 0;
}

/* Is the dataset (or the dataset of the snapshot) inside one that goes? */
static bool
inside_tagged(const zbe_state_t *st, const char *name, const char *opid, const char *named)
{
	char parent[512];
	size_t len = strcspn(name, "@");
	char *slash;

	if (len >= sizeof(parent))
		return false;
	memcpy(parent, name, len);
	parent[len] = '\0';
	/* a filesystem: start at its parent; a snapshot: at its own dataset */
	if (name[len] == '\0') {
		if ((slash = strrchr(parent, '/')) == NULL)
			return false;
		*slash = '\0';
	}
	if (zbe_ds_under(parent, named))
		return true;
	for (;;) {
		const zbe_ds_t *p = zbe_tree_find(&st->tree, parent);
		if (p != NULL && tagged(p, opid))
			return true;
		if ((slash = strrchr(parent, '/')) == NULL)
			return false;
		*slash = '\0';
	}
}

/* Destroy the BE the create names, every dataset tagged with its opid,
 * then its snapshots (each origin goes after its clones). */
static zbe_err_t
undo_create(zbe_handle_t *h, const zbe_state_t *st, const zbe_journal_t *j)
{
	char named[512];
	zbe_err_t err = ZBE_OK;

	snprintf(named, sizeof(named), "%s/%s", j->container, j->be);
	if (zbe_tree_find(&st->tree, named) != NULL)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "destroy", "-r", named, NULL);
	for (int pass = 0; pass < 2 && err == ZBE_OK; pass++)
		for (size_t i = 0; i < st->tree.n && err == ZBE_OK; i++) {
			const zbe_ds_t *d = &st->tree.ds[i];
			if (d->snapshot != (pass == 1) || !tagged(d, j->opid) || zbe_ds_under(d->name, named) ||
			    inside_tagged(st, d->name, j->opid, named))
				continue;
			err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "destroy", pass == 0 ? "-r" : d->name,
			    pass == 0 ? d->name : NULL, NULL);
		}
	return err;
}

static zbe_err_t
finish_activate(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *zones,
    const zbe_ds_t *be)
{
	zbe_undo_t undo = { 0 }; /* finishing is not undone: a failure leaves the journal */
	zbe_err_t err = zbe_activate_locked(h, st, zones, be->name, be->uuid, &undo);
	zbe_undo_free(&undo);
	return err;
}

/* Finished only while the marker it set is there: a boot since consumed
 * it (and pointed bootfs back), and the one boot it was for is over. */
static zbe_err_t
finish_once(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const zbe_journal_t *j,
    const char **what)
{
	const char *revert = zbe_state_revert(st);
	zbe_undo_t undo = { 0 };
	zbe_err_t err = ZBE_OK;

	if (be == NULL || revert == NULL || strcmp(revert, j->arg) != 0) {
		*what = be == NULL ? "dropped (the boot environment is gone)" : "dropped (no marker: it had not begun, or a boot consumed it)";
		return ZBE_OK;
	}
	*what = "finished";
	err = zbe_activate_once_locked(h, st, be->name, j->arg, &undo);
	zbe_undo_free(&undo);
	return err;
}

static zbe_err_t
finish_destroy(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *zones,
    const zbe_ds_t *be, const zbe_journal_t *j)
{
	zbe_destroy_plan_t plan = { 0 };
	char uuid[64] = "-";
	int flags = 0;
	zbe_err_t err = ZBE_OK;

	char snap[256] = "-";
	sscanf(j->arg, "%63s %d %255s", uuid, &flags, snap);
	flags |= ZBE_DESTROY_FORCE_UNMOUNT;
	if (be != NULL)
		err = zbe_destroy_plan_add(h, st, be, flags, &plan);
	if (err == ZBE_OK && strcmp(uuid, "-") != 0 && zones != NULL)
		err = zbe_destroy_plan_zones(h, st, zones, uuid, flags | ZBE_DESTROY_SNAPSHOTS, &plan);
	if (err == ZBE_OK && plan.n > 0)
		err = zbe_destroy_plan_run(h, st, &plan);
	zbe_destroy_plan_free(&plan);
	/* the BE is gone (now or before the kill): its origin's automatic
	 * snapshots that nothing else is cloned from go as destroy would have
	 * removed them; their name is unique in the tree (create.c) */
	size_t sl = strlen(snap);
	for (size_t i = 0; err == ZBE_OK && be == NULL && strcmp(snap, "-") != 0 && i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		const char *at = d->snapshot ? strchr(d->name, '@') : NULL;
		if (at != NULL && d->auto_snap && strcmp(at + 1, snap) == 0 && sl > 0 &&
		    !zbe_snapshot_has_clones(st, d->name, NULL, NULL))
			err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "destroy", d->name, NULL);
	}
	return err;
}

static zbe_err_t
finish_rename(zbe_handle_t *h, const zbe_state_t *st, const zbe_journal_t *j)
{
	char from[512], to[512];

	snprintf(from, sizeof(from), "%s/%s", j->container, j->be);
	snprintf(to, sizeof(to), "%s/%s", j->container, j->arg);
	if (h->scope != ZBE_SCOPE_HOST || zbe_tree_find(&st->tree, to) == NULL)
		return ZBE_OK;
	/* the marker of a pending one-time activation follows too */
	const char *revert = zbe_state_revert(st);
	zbe_err_t err = ZBE_OK;
	if (revert != NULL && strcmp(revert, j->be) == 0)
		err = zbe_set_revert(h, st, j->arg);
	if (err != ZBE_OK || st->bootfs == NULL || strcmp(st->bootfs, from) != 0)
		return err;
	return zbe_set_bootfs(h, to);
}

zbe_err_t
zbe_recover(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *zones,
    const zbe_journal_t *j, const char **what)
{
	const zbe_ds_t *be = NULL;
	char named[512];
	zbe_err_t err;
	bool was = h->undoing;

	snprintf(named, sizeof(named), "%s/%s", j->container, j->be);
	if ((be = zbe_tree_find(&st->tree, named)) != NULL && be->snapshot)
		be = NULL;
	/* recovery runs to its end: a held signal stops the command after it */
	h->undoing = true;
	if (strcmp(j->kind, ZBE_JOURNAL_CREATE) == 0) {
		*what = "undone";
		err = undo_create(h, st, j);
	} else if (strcmp(j->kind, ZBE_JOURNAL_ACTIVATE) == 0) {
		*what = be != NULL ? "finished" : "dropped (the boot environment is gone)";
		err = be != NULL ? finish_activate(h, st, zones, be) : ZBE_OK;
	} else if (strcmp(j->kind, ZBE_JOURNAL_ONCE) == 0) {
		err = finish_once(h, st, be, j, what);
	} else if (strcmp(j->kind, ZBE_JOURNAL_DESTROY) == 0) {
		*what = "finished";
		err = finish_destroy(h, st, zones, be, j);
	} else if (strcmp(j->kind, ZBE_JOURNAL_ROLLBACK) == 0) {
		*what = be != NULL ? "finished" : "dropped (the boot environment is gone)";
		err = be != NULL ? zbe_rollback_steps(h, st, be, j->arg) : ZBE_OK;
	} else if (strcmp(j->kind, ZBE_JOURNAL_RENAME) == 0) {
		*what = "finished";
		err = finish_rename(h, st, j);
	} else {
		*what = "left alone";
		err = zbe_fail(h, ZBE_EINCOMPLETE, j->container,
		    "%s=%s is not a journal this beadm can read; check the pool, then "
		    "zfs inherit %s %s", ZBE_PROP_JOURNAL, zbe_tree_find(&st->tree, j->container)->journal,
		    ZBE_PROP_JOURNAL, j->container);
	}
	if (err == ZBE_OK)
		err = zbe_journal_clear(h, j->container);
	h->undoing = was;
	return err;
}

zbe_err_t
zbe_recover_runs(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *zones)
{
	zbe_err_t err = ZBE_OK;
	bool was = h->undoing;

	h->undoing = true;
	for (size_t i = 0; i < st->tree.n && err == ZBE_OK; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		zbe_destroy_plan_t plan = { 0 };
		if (d->pending == NULL || !zbe_state_is_be(st, d) || zbe_pending_alive(d->pending))
			continue;
		/* its /proc, /sys and /dev binds first, or its root stays busy */
		char *at = zbe_dataset_mountpoint(d->name);
		if (at != NULL)
			(void)zbe_detach_below(at);
		free(at);
		int flags = ZBE_DESTROY_FORCE_UNMOUNT | ZBE_DESTROY_SNAPSHOTS;
		err = zbe_destroy_plan_add(h, st, d, flags, &plan);
		if (err == ZBE_OK && h->scope == ZBE_SCOPE_HOST && d->uuid != NULL && zones != NULL)
			err = zbe_destroy_plan_zones(h, st, zones, d->uuid, flags, &plan);
		if (err == ZBE_OK)
			err = zbe_destroy_plan_run(h, st, &plan);
		zbe_destroy_plan_free(&plan);
		if (err == ZBE_OK)
			zbe_log(h, ZBE_LOG_WARN, "an interrupted 'run %s' was undone", zbe_be_name(st, d));
		else
			zbe_error_prepend(h, "cannot undo the interrupted 'run %s'", zbe_be_name(st, d));
	}
	h->undoing = was;
	return err;
}
