/*
 * The frame every mutating BE operation shares, in the order that keeps
 * a refused request from touching anything: the name, the zone policy,
 * then (host scope) the zones' configuration, the lock, the one tree
 * read, the BE itself and whether this scope may act on it.
 */
#include "be.h"

#include <string.h>

/* Incomplete by a journal, whatever beadm run's mark says. */
static bool
journal_incomplete(const zbe_state_t *st, const zbe_ds_t *be)
{
	zbe_ds_t plain = *be;

	plain.pending = NULL;
	return zbe_state_incomplete(st, &plain);
}

/* A BE that beadm run was updating when it died. */
static bool
stale_run(const zbe_state_t *st)
{
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (d->pending != NULL && zbe_state_is_be(st, d) && !zbe_pending_alive(d->pending))
			return true;
	}
	return false;
}

/* Read op's state again, with the zones' containers it has. */
static zbe_err_t
reread(zbe_op_t *op, unsigned what)
{
	if (op->have_state)
		zbe_state_free(&op->st);
	op->have_state = false;
	zbe_err_t err = zbe_state_read(op->h, &op->st, what, (const char *const *)op->zones.read_roots,
	    op->zones.nread_roots);
	op->have_state = err == ZBE_OK;
	return err;
}

/*
 * A journal on the container, or a BE a dead beadm run was updating: a
 * command died half-way.  Undo or finish it before anything else (with
 * the zones' containers and bootfs, which that needs), then read the state
 * again as the operation asked for it.
 */
static zbe_err_t
recover_first(zbe_op_t *op, unsigned flags)
{
	zbe_handle_t *h = op->h;
	zbe_journal_t j;
	const char *what = NULL;
	zbe_err_t err;

	if (h->dry_run || (!zbe_state_journal(&op->st, op->st.container, &j) && !stale_run(&op->st)))
		return ZBE_OK;
	if (h->scope == ZBE_SCOPE_HOST && op->zones.zones == NULL &&
	    (err = zbe_zone_containers(h, &op->zones)) != ZBE_OK)
		return err;
	if ((err = reread(op, ZBE_STATE_BOOTFS)) != ZBE_OK)
		return err;
	if (zbe_state_journal(&op->st, op->st.container, &j)) {
		if ((err = zbe_recover(h, &op->st, &op->zones, &j, &what)) != ZBE_OK)
			return zbe_error_prepend(h, "cannot recover the interrupted '%s %s'", j.kind, j.be);
		zbe_log(h, ZBE_LOG_WARN, "an interrupted '%s %s' was %s", j.kind, j.be, what);
		/* the repair changed the tree */
		if (stale_run(&op->st) && (err = reread(op, ZBE_STATE_BOOTFS)) != ZBE_OK)
			return err;
	}
	if (stale_run(&op->st) && (err = zbe_recover_runs(h, &op->st, &op->zones)) != ZBE_OK)
		return err;
	return reread(op, (flags & ZBE_OP_BOOTFS) ? ZBE_STATE_BOOTFS : 0);
}

zbe_err_t
zbe_op_begin(zbe_handle_t *h, zbe_op_t *op, unsigned flags, const char *be, const char *verb)
{
	zbe_err_t err;

	memset(op, 0, sizeof(*op));
	op->h = h;
	if (be != NULL && !zbe_name_valid(be))
		return zbe_fail(h, ZBE_ENAME, be, "invalid boot environment name");
	if ((err = zbe_policy_mutate(h)) != ZBE_OK)
		return err;
	if ((flags & ZBE_OP_ZONES) && h->scope == ZBE_SCOPE_HOST &&
	    (err = zbe_zone_containers(h, &op->zones)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	op->locked = true;
	zbe_signals_hold(h);
	op->held = true;
	/* the altroot comes with bootfs, in the same zpool call */
	if (flags & ZBE_OP_LAYOUT)
		flags |= zbe_root_layout_flags(h);
	if ((err = zbe_state_read(h, &op->st, (flags & ZBE_OP_BOOTFS) ? ZBE_STATE_BOOTFS : 0,
	    (const char *const *)op->zones.read_roots, op->zones.nread_roots)) != ZBE_OK)
		return err;
	op->have_state = true;
	if ((flags & ZBE_OP_LAYOUT) && (err = zbe_check_root_layout(h, &op->st)) != ZBE_OK)
		return err;
	if ((err = recover_first(op, flags)) != ZBE_OK)
		return err;
	if (be == NULL)
		return ZBE_OK;
	if ((err = zbe_find_be(h, &op->st, be, &op->be)) != ZBE_OK)
		return err;
	if (verb != NULL && strcmp(verb, "destroy") != 0 && (err = zbe_refuse_incomplete(h, &op->st, op->be)) != ZBE_OK)
		return err;
	return verb != NULL ? zbe_policy_touch(h, &op->st, op->be, verb) : ZBE_OK;
}

/* Left by an interrupted operation not yet recovered (a dry run, or the
 * host's operation seen from a zone): nothing but destroy may use it. */
zbe_err_t
zbe_refuse_incomplete(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be)
{
	if (!zbe_state_incomplete(st, be))
		return ZBE_OK;
	/* the beadm run updating it, mounting or finishing it */
	if (be->pending != NULL && zbe_pending_mine(be->pending) && !journal_incomplete(st, be))
		return ZBE_OK;
	if (be->pending != NULL && zbe_pending_alive(be->pending))
		return zbe_fail(h, ZBE_EBUSY, zbe_be_name(st, be), "beadm run is updating it");
	return zbe_fail(h, ZBE_EINCOMPLETE, zbe_be_name(st, be),
	    "is incomplete: an interrupted operation left it; \"beadm check -r\" repairs it");
}

zbe_err_t
zbe_op_begin_snap(zbe_handle_t *h, zbe_op_t *op, const char *be, const char *snap, const char *verb)
{
	memset(op, 0, sizeof(*op));
	if (!zbe_name_valid(be))
		return zbe_fail(h, ZBE_ENAME, be, "invalid boot environment name");
	if (!zbe_name_valid(snap))
		return zbe_fail(h, ZBE_ENAME, snap, "invalid snapshot name");
	return zbe_op_begin(h, op, 0, be, verb);
}

zbe_err_t
zbe_op_end(zbe_op_t *op, zbe_err_t err)
{
	/* clearing the journal is the last step; a failed clear undoes it all */
	if (err == ZBE_OK && op->journaled)
		err = zbe_journal_clear(op->h, op->st.container);
	if (err != ZBE_OK && op->h != NULL) {
		/* an undo cut short keeps the journal: the next command finishes it */
		if (zbe_undo_run(&op->undo, op->h) && op->journaled) {
			zbe_saved_error_t saved;
			zbe_error_save(op->h, &saved);
			zbe_journal_clear(op->h, op->st.container);
			zbe_error_restore(op->h, &saved);
		}
	}
	zbe_undo_free(&op->undo);
	if (op->held)
		zbe_signals_release(op->h);
	if (op->have_state)
		zbe_state_free(&op->st);
	if (op->locked)
		zbe_unlock(op->h);
	zbe_zone_containers_free(&op->zones);
	memset(op, 0, sizeof(*op));
	return err;
}
