/*
 * The frame every mutating BE operation shares, in the order that keeps
 * a refused request from touching anything: the name, the zone policy,
 * then (host scope) the zones' configuration, the lock, the one tree
 * read, the BE itself and whether this scope may act on it.
 */
#include "be.h"

#include <string.h>

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
	if ((err = zbe_state_read(h, &op->st, (flags & ZBE_OP_BOOTFS) ? ZBE_STATE_BOOTFS : 0,
	    (const char *const *)op->zones.read_roots, op->zones.nread_roots)) != ZBE_OK)
		return err;
	op->have_state = true;
	if (be == NULL)
		return ZBE_OK;
	if ((err = zbe_find_be(h, &op->st, be, &op->be)) != ZBE_OK)
		return err;
	return verb != NULL ? zbe_policy_touch(h, &op->st, op->be, verb) : ZBE_OK;
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
	if (err != ZBE_OK && op->h != NULL)
		zbe_undo_run(&op->undo, op->h);
	zbe_undo_free(&op->undo);
	if (op->have_state)
		zbe_state_free(&op->st);
	if (op->locked)
		zbe_unlock(op->h);
	zbe_zone_containers_free(&op->zones);
	memset(op, 0, sizeof(*op));
	return err;
}
