/* beadm list: the BEs of the scope with their datasets and snapshots. */
#include "be.h"

#include <stdlib.h>
#include <string.h>

static void
be_info_free(zbe_be_info_t *b)
{
	free(b->name);
	free(b->dataset);
	free(b->uuid);
	free(b->description);
	free(b->parentbe);
	free(b->parentbe_name);
	free(b->mountpoint);
	free(b->apt_txn);
	for (size_t i = 0; i < b->ndatasets; i++) {
		free(b->datasets[i].name);
		free(b->datasets[i].mountpoint);
		free(b->datasets[i].origin);
	}
	free(b->datasets);
	for (size_t i = 0; i < b->nsnaps; i++)
		free(b->snaps[i].name);
	free(b->snaps);
}

void
zbe_list_free(zbe_list_t *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		be_info_free(&l->bes[i]);
	free(l->bes);
	free(l);
}

static bool
dup_ok(char **slot, const char *s)
{
	*slot = zbe_strdup(s);
	return s == NULL || *slot != NULL;
}

static bool
fill_be(zbe_handle_t *h, const zbe_state_t *st, const zbe_mounts_t *m, const zbe_ds_t *be,
    zbe_be_info_t *b)
{
	size_t first, end, nd = 0, ns = 0;
	bool ok = true;

	ok &= dup_ok(&b->name, zbe_be_name(st, be));
	ok &= dup_ok(&b->dataset, be->name);
	ok &= dup_ok(&b->description, be->description);
	ok &= dup_ok(&b->apt_txn, be->apt_txn);
	b->policy_auto = be->policy_auto;
	ok &= dup_ok(&b->mountpoint, m != NULL ? zbe_mounts_target(m, be->name) : NULL);
	if (h->scope == ZBE_SCOPE_HOST) {
		ok &= dup_ok(&b->uuid, be->uuid);
	} else {
		const zbe_ds_t *hb = zbe_state_host_be_by_uuid(st, be->parentbe);
		ok &= dup_ok(&b->parentbe, be->parentbe);
		if (be->parentbe != NULL)
			ok &= dup_ok(&b->parentbe_name, hb != NULL ? zbe_host_be_name(st, hb) : "orphan");
		b->active_prop = be->active != NULL && strcmp(be->active, "on") == 0;
		b->foreign = zbe_state_foreign(h, st, be);
		b->orphan = hb == NULL;
	}
	b->incomplete = zbe_state_incomplete(st, be);
	b->running = zbe_state_running(st, be);
	/* with activate -t pending: T on bootfs, R on the BE it returns to */
	b->once = zbe_state_once(h, st, be);
	b->next = (zbe_state_next(h, st, be) && !b->once) || zbe_state_returns_to(h, st, be);
	b->space = be->used;
	b->creation = be->creation;

	zbe_state_range(st, be, &first, &end);
	for (size_t i = first + 1; i < end; i++)
		st->tree.ds[i].snapshot ? ns++ : nd++;
	b->datasets = calloc(nd ? nd : 1, sizeof(*b->datasets));
	b->snaps = calloc(ns ? ns : 1, sizeof(*b->snaps));
	if (b->datasets == NULL || b->snaps == NULL)
		return false;
	for (size_t i = first + 1; i < end; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (d->snapshot) {
			zbe_snap_info_t *s = &b->snaps[b->nsnaps++];
			ok &= dup_ok(&s->name, d->name);
			s->used = d->used;
			s->creation = d->creation;
		} else {
			zbe_ds_info_t *x = &b->datasets[b->ndatasets++];
			ok &= dup_ok(&x->name, d->name);
			ok &= dup_ok(&x->mountpoint, m != NULL ? zbe_mounts_target(m, d->name) : NULL);
			ok &= dup_ok(&x->origin, d->origin);
			x->used = d->used;
			x->creation = d->creation;
		}
	}
	return ok;
}

zbe_err_t
zbe_list(zbe_handle_t *h, const char *name, zbe_list_t **out)
{
	zbe_state_t st;
	zbe_list_t *l;
	zbe_mounts_t *m;
	zbe_err_t err;
	size_t nbe = 0;

	*out = NULL;
	if (name != NULL && !zbe_name_valid(name))
		return zbe_fail(h, ZBE_ENAME, name, "invalid boot environment name");
	/* a run_dir this user cannot write: list without the lock */
	bool locked = zbe_lock_shared(h) == ZBE_OK;
	if (!locked)
		zbe_clear_error(h);
	err = zbe_state_read(h, &st, ZBE_STATE_BOOTFS, NULL, 0);
	if (locked)
		zbe_unlock(h);
	if (err != ZBE_OK)
		return err;
	if (name != NULL && zbe_state_be(&st, name) == NULL) {
		zbe_state_free(&st);
		return zbe_fail(h, ZBE_ENOENT, name, "no such boot environment");
	}
	for (size_t i = 0; i < st.tree.n; i++)
		nbe += zbe_state_is_be(&st, &st.tree.ds[i]);
	l = calloc(1, sizeof(*l));
	m = zbe_mounts_read();
	if (l == NULL || (l->bes = calloc(nbe ? nbe : 1, sizeof(*l->bes))) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	for (size_t i = 0; i < st.tree.n; i++) {
		const zbe_ds_t *d = &st.tree.ds[i];
		if (!zbe_state_is_be(&st, d))
			continue;
		if (name != NULL && strcmp(zbe_be_name(&st, d), name) != 0)
			continue;
		if (!fill_be(h, &st, m, d, &l->bes[l->n++])) {
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
			goto out;
		}
	}
out:
	zbe_mounts_free(m);
	zbe_state_free(&st);
	if (err != ZBE_OK)
		zbe_list_free(l);
	else
		*out = l;
	return err;
}
