/*
 * beadm prune: retention of automatic BEs (policy=auto, as the apt hook
 * makes them).  The newest `keep` always stay; older ones go, oldest
 * first, while the pool's free space is under min_free (0: regardless of
 * space).  The decision is made on one tree read and one zpool call:
 * ZFS frees a destroyed dataset's blocks in the background, so reading
 * the free space again after each destroy would not see them anyway;
 * each destroyed BE is counted as freeing its `used`.  The destroys
 * themselves are zbe_destroy's, one BE at a time, under the lock held
 * for the whole prune (it is reentrant), each with its own checks.
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>

void
zbe_prune_result_free(zbe_prune_result_t *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].detail);
	}
	free(r->v);
	free(r);
}

/* Newest first: by creation, and within one second by the transaction
 * group that made each (the BEs of one container share a pool). */
static int
newest_first(const void *pa, const void *pb)
{
	const zbe_ds_t *a = *(const zbe_ds_t *const *)pa, *b = *(const zbe_ds_t *const *)pb;

	if (a->creation != b->creation)
		return a->creation > b->creation ? -1 : 1;
	if (a->createtxg != b->createtxg)
		return a->createtxg > b->createtxg ? -1 : 1;
	return -strcmp(a->name, b->name);
}

static bool
under(const char *name, const char *root)
{
	size_t l = strlen(root);

	return strncmp(name, root, l) == 0 && (name[l] == '\0' || name[l] == '/' || name[l] == '@');
}

/*
 * A dataset outside be, and outside the BEs already chosen for
 * destruction, cloned from a snapshot of be (or of its children): its
 * name, or NULL.  Destroy-and-promote could keep that clone by promoting
 * it, but retention leaves such a BE alone: its blocks stay in use.
 */
static const char *
backs(const zbe_state_t *st, const zbe_ds_t *be, const zbe_ds_t *const *gone, size_t ngone)
{
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		bool dying = under(d->name, be->name);
		for (size_t k = 0; k < ngone && !dying; k++)
			dying = under(d->name, gone[k]->name);
		if (!dying && d->origin != NULL && under(d->origin, be->name))
			return d->name;
	}
	return NULL;
}

static unsigned
percent(uint64_t part, uint64_t whole)
{
	if (part >= whole)
		return 100;
	return (unsigned)((part * 100.0) / (double)whole);
}

/* Read the state as the operation needs it: plan only, like list (shared
 * lock, none when run_dir is not ours); else as every mutation. */
static zbe_err_t
prune_begin(zbe_handle_t *h, zbe_op_t *op, bool plan_only)
{
	zbe_err_t err;

	if (!plan_only)
		return zbe_op_begin(h, op, ZBE_OP_BOOTFS, NULL, NULL);
	memset(op, 0, sizeof(*op));
	op->h = h;
	op->locked = zbe_lock_shared(h) == ZBE_OK;
	if (!op->locked)
		zbe_clear_error(h);
	if ((err = zbe_state_read(h, &op->st, ZBE_STATE_BOOTFS, NULL, 0)) != ZBE_OK)
		return err;
	op->have_state = true;
	return ZBE_OK;
}

/* Decide each automatic BE's fate; cand is sorted newest first. */
static zbe_err_t
decide(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t **cand, zbe_prune_result_t *r,
    uint64_t size, uint64_t free_bytes)
{
	const zbe_ds_t **gone = calloc(r->n ? r->n : 1, sizeof(*gone));
	size_t ngone = 0;

	if (gone == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	for (size_t i = r->n; i-- > 0;) {
		zbe_prune_entry_t *e = &r->v[i];
		const zbe_ds_t *be = cand[i];
		const char *b;

		if (i < r->keep)
			e->action = ZBE_PRUNE_KEEP_NEWEST;
		else if (zbe_state_running(st, be))
			e->action = ZBE_PRUNE_KEEP_RUNNING;
		/* a pending activate -t: both the one-time BE and the BE it returns to */
		else if (zbe_state_once(h, st, be) || zbe_state_returns_to(h, st, be))
			e->action = ZBE_PRUNE_KEEP_ONCE;
		else if (zbe_state_next(h, st, be))
			e->action = ZBE_PRUNE_KEEP_NEXT;
		else if ((b = backs(st, be, gone, ngone)) != NULL) {
			e->action = ZBE_PRUNE_KEEP_BACKS;
			if ((e->detail = zbe_strdup(b)) == NULL) {
				free(gone);
				return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
			}
		} else if (r->min_free > 0 && percent(free_bytes, size) >= r->min_free)
			e->action = ZBE_PRUNE_KEEP_SPACE;
		else {
			e->action = ZBE_PRUNE_DESTROY;
			gone[ngone++] = be;
			free_bytes += be->used;
		}
	}
	r->free_pct_after = percent(free_bytes, size);
	free(gone);
	return ZBE_OK;
}

/* The result's entries for the automatic BEs of the state, newest first. */
static zbe_err_t
collect(zbe_handle_t *h, const zbe_state_t *st, zbe_prune_result_t *r, const zbe_ds_t ***cand)
{
	size_t n = 0;

	*cand = calloc(st->tree.n ? st->tree.n : 1, sizeof(**cand));
	r->v = calloc(st->tree.n ? st->tree.n : 1, sizeof(*r->v));
	if (*cand == NULL || r->v == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (!zbe_state_is_be(st, d) || !d->policy_auto)
			continue;
		/* what this scope may not destroy (a zone: another host BE's ZBEs) is not its to prune */
		if (zbe_policy_touch(h, st, d, "destroy") != ZBE_OK) {
			zbe_clear_error(h);
			continue;
		}
		(*cand)[n++] = d;
	}
	qsort(*cand, n, sizeof(**cand), newest_first);
	for (size_t i = 0; i < n; i++) {
		zbe_prune_entry_t *e = &r->v[r->n++];
		if ((e->name = zbe_strdup(zbe_be_name(st, (*cand)[i]))) == NULL)
			return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		e->creation = (*cand)[i]->creation;
		e->space = (*cand)[i]->used;
	}
	return ZBE_OK;
}

/* Destroy what was decided, oldest first; a failure is noted, the rest go on. */
static zbe_err_t
run(zbe_handle_t *h, zbe_prune_result_t *r)
{
	zbe_err_t first = ZBE_OK;

	for (size_t i = r->n; i-- > 0;) {
		zbe_prune_entry_t *e = &r->v[i];
		if (e->action != ZBE_PRUNE_DESTROY)
			continue;
		zbe_err_t err = zbe_destroy(h, e->name, ZBE_DESTROY_SNAPSHOTS);
		if (err == ZBE_OK)
			continue;
		e->action = ZBE_PRUNE_FAILED;
		if ((e->detail = zbe_strdup(zbe_errmsg(h))) == NULL)
			err = ZBE_ENOMEM;
		if (first == ZBE_OK)
			first = err;
	}
	return first;
}

static unsigned
conf_number(zbe_handle_t *h, const char *key, const char *dflt)
{
	const char *v = zbe_conf_get(h, key);

	return (unsigned)strtoul(v != NULL ? v : dflt, NULL, 10);
}

zbe_err_t
zbe_prune(zbe_handle_t *h, bool plan_only, zbe_prune_result_t **out)
{
	zbe_prune_result_t *r = calloc(1, sizeof(*r));
	const zbe_ds_t **cand = NULL;
	uint64_t size = 0, free_bytes = 0;
	char *pool = NULL;
	zbe_op_t op;
	zbe_err_t err;

	*out = NULL;
	memset(&op, 0, sizeof(op));
	if (r == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	r->keep = conf_number(h, "keep", ZBE_DEFAULT_KEEP);
	r->min_free = conf_number(h, "min_free", ZBE_DEFAULT_MIN_FREE);
	err = prune_begin(h, &op, plan_only);
	if (err == ZBE_OK && (pool = zbe_pool_of(op.st.container)) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if (err == ZBE_OK)
		err = zbe_drv(h)->get_space(h, pool, &size, &free_bytes);
	if (err == ZBE_OK) {
		r->free_pct = percent(free_bytes, size);
		err = collect(h, &op.st, r, &cand);
	}
	if (err == ZBE_OK)
		err = decide(h, &op.st, cand, r, size, free_bytes);
	free(cand);
	free(pool);
	bool ran = err == ZBE_OK && !plan_only;
	if (ran)
		err = run(h, r);
	/* the destroys undid their own failures: nothing for op_end to undo */
	zbe_op_end(&op, ran ? ZBE_OK : err);
	if (err != ZBE_OK && !ran) {
		zbe_prune_result_free(r);
		return err;
	}
	*out = r; /* after a failed destroy too: the entries tell which */
	return err;
}
