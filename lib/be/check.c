/*
 * beadm check: leftovers and inconsistencies, found in one tree read,
 * and with -r repaired where that is safe.  Safe: finishing or undoing
 * an interrupted operation (its journal says which), destroying an
 * automatic snapshot nothing is cloned from, pointing a bootfs that
 * names a missing BE back at the running one, clearing a one-time
 * activation's marker that names a missing BE.  Not safe, so only
 * reported: a zone with no or several active ZBEs, orphan ZBEs (the
 * administrator decides which state a zone keeps).
 */
#include "be.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static zbe_check_item_t *
add(zbe_handle_t *h, zbe_check_t *c, const char *repair, const char *fmt, ...)
{
	zbe_check_item_t *v = realloc(c->items, (c->n + 1) * sizeof(*v));
	va_list ap;

	if (v == NULL)
		return NULL;
	c->items = v;
	v = &c->items[c->n];
	memset(v, 0, sizeof(*v));
	va_start(ap, fmt);
	if (vasprintf(&v->finding, fmt, ap) < 0)
		v->finding = NULL;
	va_end(ap);
	v->repair = repair != NULL ? strdup(repair) : NULL;
	if (v->finding == NULL || (repair != NULL && v->repair == NULL)) {
		free(v->finding);
		free(v->repair);
		(void)h;
		return NULL;
	}
	c->n++;
	return v;
}

#define ADD(...)                                                      \
	do {                                                          \
		if ((item = add(h, c, __VA_ARGS__)) == NULL)          \
			return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);   \
	} while (0)

static bool
in_scope(const zbe_op_t *op, const char *name)
{
	if (zbe_ds_under(name, op->st.container))
		return true;
	for (size_t i = 0; i < op->zones.n; i++)
		if (zbe_ds_under(name, op->zones.containers[i]))
			return true;
	return false;
}

/* The interrupted operation, and what it left incomplete. */
static zbe_err_t
check_journal(zbe_handle_t *h, zbe_op_t *op, bool repair, zbe_check_t *c, bool *recovered)
{
	zbe_check_item_t *item;
	zbe_journal_t j;
	const char *what = NULL;
	bool undo;

	*recovered = false;
	if (!zbe_state_journal(&op->st, op->st.container, &j))
		return ZBE_OK;
	undo = strcmp(j.kind, ZBE_JOURNAL_CREATE) == 0;
	ADD(undo ? "undo it" : "finish it", "interrupted operation '%s %s' (journal on %s)", j.kind, j.be,
	    j.container);
	zbe_check_item_t *journal_item = item;
	size_t first = c->n;
	for (size_t i = 0; i < op->st.tree.n; i++) {
		const zbe_ds_t *d = &op->st.tree.ds[i];
		if (zbe_state_is_be(&op->st, d) && zbe_state_incomplete(&op->st, d))
			ADD(undo ? "undo it with its operation" : "finish it with its operation", "incomplete boot environment %s",
			    zbe_be_name(&op->st, d));
		else if (!d->snapshot && undo && d->parentbe != NULL && d->op != NULL &&
		    strcmp(d->op, j.opid) == 0 && !zbe_ds_under(d->name, op->st.container) && in_scope(op, d->name))
			ADD("undo it with its operation", "incomplete zone boot environment %s", d->name);
	}
	if (!repair)
		return ZBE_OK;
	if (zbe_recover(h, &op->st, &op->zones, &j, &what) != ZBE_OK)
		return zbe_error_prepend(h, "cannot recover the interrupted '%s %s'", j.kind, j.be);
	journal_item = &c->items[first - 1];
	journal_item->repaired = true;
	for (size_t i = first; i < c->n; i++)
		c->items[i].repaired = true;
	*recovered = true;
	return ZBE_OK;
}

static zbe_err_t read_state(zbe_op_t *op);

/* BEs a beadm run was updating when it died (one in progress is not a finding). */
static zbe_err_t
check_runs(zbe_handle_t *h, zbe_op_t *op, bool repair, zbe_check_t *c)
{
	zbe_check_item_t *item;
	size_t first = c->n;

	for (size_t i = 0; i < op->st.tree.n; i++) {
		const zbe_ds_t *d = &op->st.tree.ds[i];
		if (d->pending != NULL && zbe_state_is_be(&op->st, d) && !zbe_pending_alive(d->pending))
			ADD("undo it (destroy the boot environment)",
			    "interrupted 'run %s': its beadm is gone, the update is incomplete", zbe_be_name(&op->st, d));
	}
	if (!repair || c->n == first)
		return ZBE_OK;
	zbe_err_t err = zbe_recover_runs(h, &op->st, &op->zones);
	for (size_t i = first; err == ZBE_OK && i < c->n; i++)
		c->items[i].repaired = true;
	if (err == ZBE_OK && !h->dry_run)
		err = read_state(op);
	return err;
}

static zbe_err_t
check_snapshots(zbe_handle_t *h, zbe_op_t *op, bool repair, zbe_check_t *c)
{
	zbe_check_item_t *item;

	for (size_t i = 0; i < op->st.tree.n; i++) {
		const zbe_ds_t *d = &op->st.tree.ds[i];
		if (!d->snapshot || !d->auto_snap || !in_scope(op, d->name) ||
		    zbe_snapshot_has_clones(&op->st, d->name, NULL, NULL))
			continue;
		ADD("destroy it", "stray automatic snapshot %s (nothing is cloned from it)", d->name);
		if (repair) {
			if (zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "destroy", d->name, NULL) != ZBE_OK)
				return zbe_error_prepend(h, "cannot destroy %s", d->name);
			item->repaired = true;
		}
	}
	return ZBE_OK;
}

/* One zone's container: active ZBEs per host BE, and orphans. */
static zbe_err_t
check_zone(zbe_handle_t *h, const zbe_state_t *st, const char *zone, const char *container,
    zbe_check_t *c)
{
	zbe_check_item_t *item;
	size_t cl = strlen(container), nzbes = 0;

	if (zbe_tree_find(&st->tree, container) == NULL)
		return ZBE_OK;
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (d->snapshot || strncmp(d->name, container, cl) != 0 || d->name[cl] != '/' ||
		    strchr(d->name + cl + 1, '/') != NULL)
			continue;
		nzbes++;
		if (zbe_state_host_be_by_uuid(st, d->parentbe) == NULL)
			ADD(NULL, "zone %s: %s belongs to no host boot environment (an orphan; "
			    "activate it to adopt it, or destroy it)", zone, d->name + cl + 1);
	}
	size_t hl = strlen(st->host_container);
	for (size_t i = 0; nzbes > 0 && i < st->tree.n; i++) {
		const zbe_ds_t *b = &st->tree.ds[i];
		if (b->snapshot || b->uuid == NULL || strncmp(b->name, st->host_container, hl) != 0 ||
		    b->name[hl] != '/' || strchr(b->name + hl + 1, '/') != NULL)
			continue;
		size_t count;
		zbe_zbe_of(st, container, b->uuid, true, &count);
		/* none matters where the zone would boot: the running BE and bootfs */
		bool where = (st->host_running != NULL && strcmp(st->host_running, b->name) == 0) ||
		    (st->bootfs != NULL && strcmp(st->bootfs, b->name) == 0);
		if (count > 1 || (count == 0 && where))
			ADD(NULL, "zone %s: %s active zone boot environment%s for host boot environment %s "
			    "(fix with: beadm -z %s activate <ZBE>)", zone, count == 0 ? "no" : "more than one",
			    count == 0 ? "" : "s", b->name + hl + 1, zone);
	}
	return ZBE_OK;
}

/* bootfs names what boots: unset (ZFS clears it when its dataset is
 * destroyed) or missing, no loader finds a BE. */
static zbe_err_t
check_bootfs(zbe_handle_t *h, zbe_op_t *op, bool repair, zbe_check_t *c)
{
	zbe_check_item_t *item;
	const zbe_state_t *st = &op->st;

	if (h->scope != ZBE_SCOPE_HOST)
		return ZBE_OK;
	if (st->bootfs != NULL && (!zbe_ds_under(st->bootfs, st->container) ||
	    zbe_tree_find(&st->tree, st->bootfs) != NULL))
		return ZBE_OK;
	const zbe_ds_t *run = st->running != NULL ? zbe_tree_find(&st->tree, st->running) : NULL;
	bool can = run != NULL && zbe_state_is_be(st, run);
	if (st->bootfs == NULL)
		ADD(can ? "point bootfs at the running boot environment" : NULL,
		    "the pool has no bootfs: a loader booting by bootfs finds no boot environment");
	else
		ADD(can ? "point bootfs at the running boot environment" : NULL,
		    "bootfs names %s, which does not exist", st->bootfs);
	if (repair && can) {
		zbe_err_t err = zbe_set_bootfs(h, run->name);
		if (err != ZBE_OK)
			return err;
		item->repaired = true;
	}
	return ZBE_OK;
}

/* The marker of a one-time activation names the BE the host returns to;
 * naming none, the boot script would keep the one-time BE for good. */
static zbe_err_t
check_revert(zbe_handle_t *h, zbe_op_t *op, bool repair, zbe_check_t *c)
{
	zbe_check_item_t *item;
	const zbe_state_t *st = &op->st;
	const char *revert = h->scope == ZBE_SCOPE_HOST ? zbe_state_revert(st) : NULL;

	if (revert == NULL || zbe_state_be(st, revert) != NULL)
		return ZBE_OK;
	ADD("clear it (bootfs stays as it is)",
	    "a one-time activation returns to %s, which does not exist (%s on %s)", revert,
	    ZBE_PROP_NEXTBOOT_REVERT, st->host_container);
	if (repair) {
		zbe_err_t err = zbe_set_revert(h, st, NULL);
		if (err != ZBE_OK)
			return err;
		item->repaired = true;
	}
	return ZBE_OK;
}

static zbe_err_t
read_state(zbe_op_t *op)
{
	if (op->have_state)
		zbe_state_free(&op->st);
	op->have_state = false;
	zbe_err_t err = zbe_state_read(op->h, &op->st, ZBE_STATE_BOOTFS,
	    (const char *const *)op->zones.read_roots, op->zones.nread_roots);
	op->have_state = err == ZBE_OK;
	return err;
}

zbe_err_t
zbe_check(zbe_handle_t *h, bool repair, zbe_check_t **out)
{
	zbe_op_t op;
	zbe_check_t *c = calloc(1, sizeof(*c));
	bool recovered = false;
	zbe_err_t err = ZBE_OK;

	memset(&op, 0, sizeof(op));
	op.h = h;
	*out = c;
	if (c == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if (repair && (err = zbe_policy_mutate(h)) != ZBE_OK)
		return err;
	if (h->scope == ZBE_SCOPE_HOST && (err = zbe_zone_containers(h, &op.zones)) != ZBE_OK)
		return zbe_op_end(&op, err);
	/* not zbe_op_begin: it would recover before anything is reported */
	if ((err = repair ? zbe_lock(h) : zbe_lock_shared(h)) != ZBE_OK)
		return zbe_op_end(&op, err);
	op.locked = true;
	if (repair) {
		zbe_signals_hold(h);
		op.held = true;
	}
	if ((err = read_state(&op)) == ZBE_OK)
		err = check_journal(h, &op, repair, c, &recovered);
	if (err == ZBE_OK && recovered && !h->dry_run)
		err = read_state(&op);
	if (err == ZBE_OK)
		err = check_runs(h, &op, repair, c);
	if (err == ZBE_OK)
		err = check_snapshots(h, &op, repair, c);
	for (size_t i = 0; err == ZBE_OK && i < op.zones.n; i++)
		err = check_zone(h, &op.st, op.zones.zones[i], op.zones.containers[i], c);
	if (err == ZBE_OK && h->scope == ZBE_SCOPE_ZONE)
		err = check_zone(h, &op.st, h->zone, h->container, c);
	if (err == ZBE_OK)
		err = check_bootfs(h, &op, repair, c);
	if (err == ZBE_OK)
		err = check_revert(h, &op, repair, c);
	/* repairs are not undone: each is whole, and what is done is reported */
	return zbe_op_end(&op, err);
}

void
zbe_check_free(zbe_check_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->items[i].finding);
		free(c->items[i].repair);
	}
	free(c->items);
	free(c);
}
