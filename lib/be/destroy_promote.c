/*
 * Destroy-and-promote, the seed's wish: clones of the BE's snapshots
 * that live elsewhere are collected first, then promoted (one per dataset:
 * promoting the clone of the newest cloned snapshot moves every older
 * snapshot with it), then the BE goes, then its origin snapshot when zbe
 * made it and nothing else was cloned from it.  All of it is checked and
 * unmounted first and written down as a plan; the plan then runs as zfs
 * commands (zfs-fuse) or as one channel program per pool (OpenZFS,
 * be/destroy_program.c), which does it all or nothing in one transaction
 * group.
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>

/* Is name inside [first, end) of the tree (the BE being destroyed)? */
static bool
in_range(const zbe_state_t *st, size_t first, size_t end, const char *name)
{
	return zbe_ds_under(name, st->tree.ds[first].name) && first < end;
}

/*
 * For each dataset of the BE: the clone outside the BE whose origin is
 * that dataset's newest cloned snapshot.  Also tells the position of that
 * snapshot, so that snapshots after it count as the BE's own.
 */
typedef struct promo {
	const zbe_ds_t *clone;
	size_t snap_pos;
} promo_t;

/* The index (from first) of the dataset a snapshot belongs to. */
static size_t
dataset_slot(const zbe_state_t *st, size_t first, const zbe_ds_t *snap)
{
	char ds[512];
	const char *at = strchr(snap->name, '@');

	snprintf(ds, sizeof(ds), "%.*s", (int)(at - snap->name), snap->name);
	const zbe_ds_t *d = zbe_tree_find(&st->tree, ds);
	return d != NULL ? (size_t)(d - st->tree.ds) - first : 0;
}

static void
collect_promotions(const zbe_state_t *st, size_t first, size_t end, promo_t *p)
{
	for (size_t j = 0; j < st->tree.n; j++) {
		const zbe_ds_t *c = &st->tree.ds[j];
		if (c->snapshot || c->origin == NULL || in_range(st, first, end, c->name))
			continue;
		if (!in_range(st, first, end, c->origin))
			continue;
		for (size_t i = first; i < end; i++) {
			if (strcmp(st->tree.ds[i].name, c->origin) != 0)
				continue;
			size_t slot = dataset_slot(st, first, &st->tree.ds[i]);
			if (p[slot].clone == NULL || i > p[slot].snap_pos) {
				p[slot].clone = c;
				p[slot].snap_pos = i;
			}
		}
	}
}

/* Snapshots of the BE that stay with it after the promotions. */
static const zbe_ds_t *
own_snapshot(const zbe_state_t *st, size_t first, size_t end, const promo_t *p)
{
	for (size_t i = first; i < end; i++) {
		if (!st->tree.ds[i].snapshot)
			continue;
		const promo_t *pp = &p[dataset_slot(st, first, &st->tree.ds[i])];
		if (pp->clone == NULL || i > pp->snap_pos)
			return &st->tree.ds[i];
	}
	return NULL;
}

/* Someone other than the BE's datasets cloned from snap (or its children's)? */
bool
zbe_snapshot_has_clones(const zbe_state_t *st, const char *snapname, const char *except_under,
    const char *except_too)
{
	const char *at = strchr(snapname, '@');
	size_t dl = (size_t)(at - snapname);

	for (size_t j = 0; j < st->tree.n; j++) {
		const zbe_ds_t *c = &st->tree.ds[j];
		if (c->snapshot || c->origin == NULL)
			continue;
		if (except_under != NULL && zbe_ds_under(c->name, except_under))
			continue;
		if (except_too != NULL && zbe_ds_under(c->name, except_too))
			continue;
		/* origin is snap itself or the same snapshot of a child dataset */
		const char *oat = strchr(c->origin, '@');
		if (oat != NULL && strcmp(oat, at) == 0 && strncmp(c->origin, snapname, dl) == 0 &&
		    (c->origin[dl] == '@' || c->origin[dl] == '/'))
			return true;
	}
	return false;
}

/*
 * A zone may promote ZBEs of other host BEs, but never destroys anything
 * of theirs, not even an unused automatic snapshot: it stays.
 */
static bool
may_destroy_snapshot(zbe_handle_t *h, const zbe_state_t *st, const char *snap)
{
	char ds[512];
	const char *at = strchr(snap, '@');

	if (h->scope != ZBE_SCOPE_ZONE || h->policy != ZBE_POLICY_ZONE || at == NULL)
		return true;
	snprintf(ds, sizeof(ds), "%.*s", (int)(at - snap), snap);
	const zbe_ds_t *d = zbe_tree_find(&st->tree, ds);
	/* the snapshot of a child: judge by the BE it belongs to */
	while (d != NULL && !zbe_state_is_be(st, d)) {
		char *slash = strrchr(ds, '/');
		if (slash == NULL)
			return false;
		*slash = '\0';
		d = zbe_tree_find(&st->tree, ds);
	}
	return d != NULL && !zbe_state_foreign(h, st, d);
}

/*
 * "zfs destroy -r" is not atomic: zfs-fuse destroys the children first and
 * may then find the BE's root busy (a process still holds it after a forced
 * unmount).  Say what is gone and what is left, never leave it unsaid.
 */
static void
report_partial(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *name)
{
	zbe_saved_error_t saved;
	char *text = NULL;
	size_t first, end, gone = 0, was = 0;

	if (h->dry_run)
		return;
	zbe_error_save(h, &saved);
	if (zbe_zfs(h, ZBE_CMD_READ, &text, "list", "-H", "-o", "name", "-t", "filesystem,volume", "-r",
	    be->name, NULL) == ZBE_OK) {
		zbe_state_range(st, be, &first, &end);
		for (size_t i = first; i < end; i++) {
			const zbe_ds_t *d = &st->tree.ds[i];
			if (d->snapshot)
				continue;
			was++;
			size_t n = strlen(d->name);
			bool found = false;
			for (const char *l = text; l != NULL && *l && !found; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
				found = strncmp(l, d->name, n) == 0 && (l[n] == '\n' || l[n] == '\0');
			gone += !found;
		}
	}
	free(text);
	zbe_error_restore(h, &saved);
	if (gone > 0 && gone < was)
		zbe_fail(h, saved.err, name, "destroyed %zu of its %zu datasets, then stopped: %s; "
		    "destroy it again once nothing uses it", gone, was, saved.msg);
}

void
zbe_destroy_plan_free(zbe_destroy_plan_t *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->steps[i].target);
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

static zbe_err_t
add_step(zbe_handle_t *h, zbe_destroy_plan_t *p, bool promote, const char *target, const zbe_ds_t *be)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		zbe_destroy_step_t *v = realloc(p->steps, cap * sizeof(*v));
		if (v == NULL)
			return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		p->steps = v;
		p->cap = cap;
	}
	zbe_destroy_step_t *st = &p->steps[p->n];
	if ((st->target = strdup(target)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	st->promote = promote;
	st->be = be;
	p->n++;
	return ZBE_OK;
}

zbe_err_t
zbe_destroy_plan_add(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, int flags,
    zbe_destroy_plan_t *plan)
{
	size_t first, end, nds = 0;
	promo_t *p;
	zbe_err_t err = ZBE_OK;
	zbe_mounts_t *m;
	const char *name = strrchr(be->name, '/') + 1; /* host or zone BE alike */

	zbe_state_range(st, be, &first, &end);
	p = calloc(end - first, sizeof(*p));
	if (p == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	collect_promotions(st, first, end, p);
	const zbe_ds_t *own = own_snapshot(st, first, end, p);
	if (own != NULL && !(flags & ZBE_DESTROY_SNAPSHOTS)) {
		err = zbe_fail(h, ZBE_EHASSNAPS, name, "has snapshots (%s); use -s to destroy them too",
		    own->name);
		goto out;
	}
	/* mounted? */
	m = zbe_mounts_read();
	for (size_t i = first; m != NULL && i < end; i++)
		nds += !st->tree.ds[i].snapshot && zbe_mounts_target(m, st->tree.ds[i].name) != NULL;
	zbe_mounts_free(m);
	if (nds > 0) {
		if (!(flags & ZBE_DESTROY_FORCE_UNMOUNT)) {
			err = zbe_fail(h, ZBE_EMOUNTED, name, "is mounted; unmount it first or use -f");
			goto out;
		}
		/* a zone's mounts are taken apart without trusting its paths */
		if ((err = zbe_unmount_be(h, be, true)) != ZBE_OK)
			goto out;
	}
	for (size_t i = 0; err == ZBE_OK && i < end - first; i++)
		if (p[i].clone != NULL)
			err = add_step(h, plan, true, p[i].clone->name, be);
	if (err == ZBE_OK)
		err = add_step(h, plan, false, be->name, be);
	/* its origin, when zbe made it and nobody else needs it */
	if (err == ZBE_OK && p[0].clone == NULL && be->origin != NULL) {
		const zbe_ds_t *o = zbe_tree_find(&st->tree, be->origin);
		if (o != NULL && o->auto_snap && !o->deferred && may_destroy_snapshot(h, st, o->name) &&
		    !zbe_snapshot_has_clones(st, be->origin, be->name, NULL))
			err = add_step(h, plan, false, be->origin, be);
	} else if (err == ZBE_OK && p[0].clone != NULL) {
		/* after the promotion the BE was a clone of the promoted one's snapshot */
		const zbe_ds_t *o = &st->tree.ds[p[0].snap_pos];
		char *moved = zbe_asprintf("%s%s", p[0].clone->name, strchr(o->name, '@'));
		if (moved == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		else if (o->auto_snap && !o->deferred && may_destroy_snapshot(h, st, moved) &&
		    !zbe_snapshot_has_clones(st, o->name, be->name, p[0].clone->name))
			err = add_step(h, plan, false, moved, be);
		free(moved);
	}
out:
	free(p);
	return err;
}

/* zfs-fuse: the plan as zfs commands, one by one. */
static zbe_err_t
run_commands(zbe_handle_t *h, const zbe_state_t *st, const zbe_destroy_plan_t *plan)
{
	zbe_err_t err = ZBE_OK;

	for (size_t i = 0; i < plan->n && err == ZBE_OK; i++) {
		const zbe_destroy_step_t *s = &plan->steps[i];
		if (s->promote)
			err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "promote", s->target, NULL);
		else if ((err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "destroy", "-r", s->target, NULL)) != ZBE_OK &&
		    strcmp(s->target, s->be->name) == 0)
			report_partial(h, st, s->be, strrchr(s->be->name, '/') + 1);
	}
	return err;
}

zbe_err_t
zbe_destroy_plan_run(zbe_handle_t *h, const zbe_state_t *st, const zbe_destroy_plan_t *plan)
{
	if (plan->n == 0)
		return ZBE_OK;
	if (zbe_drv(h)->channel_programs)
		return zbe_destroy_program(h, plan);
	return run_commands(h, st, plan);
}

/* Plan the ZBEs, in every zone, of the host BE with this uuid. */
zbe_err_t
zbe_destroy_plan_zones(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *z,
    const char *uuid, int flags, zbe_destroy_plan_t *plan)
{
	zbe_err_t err = ZBE_OK;

	for (size_t i = 0; i < z->n && err == ZBE_OK; i++) {
		size_t cl = strlen(z->containers[i]);
		for (size_t j = 0; j < st->tree.n && err == ZBE_OK; j++) {
			const zbe_ds_t *d = &st->tree.ds[j];
			if (d->snapshot || strncmp(d->name, z->containers[i], cl) != 0 || d->name[cl] != '/' ||
			    strchr(d->name + cl + 1, '/') != NULL || d->parentbe == NULL ||
			    strcmp(d->parentbe, uuid) != 0)
				continue;
			err = zbe_destroy_plan_add(h, st, d, flags | ZBE_DESTROY_FORCE_UNMOUNT, plan);
		}
	}
	return err;
}

zbe_err_t
zbe_destroy_locked(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, int flags)
{
	zbe_destroy_plan_t plan = { 0 };
	zbe_err_t err = zbe_destroy_plan_add(h, st, be, flags, &plan);

	if (err == ZBE_OK)
		err = zbe_destroy_plan_run(h, st, &plan);
	zbe_destroy_plan_free(&plan);
	return err;
}
