/*
 * beadm destroy BE and beadm destroy BE@snapshot.  Destroying a host BE
 * destroys the zones' BEs that belonged to it too, each the same way
 * (destroy_promote.c), all in one plan: on OpenZFS one transaction group.
 */
#include "be.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

zbe_err_t
zbe_destroy(zbe_handle_t *h, const char *name, int flags)
{
	zbe_destroy_plan_t plan = { 0 };
	zbe_op_t op;
	zbe_err_t err = zbe_op_begin(h, &op, ZBE_OP_BOOTFS | ZBE_OP_ZONES, name, "destroy");

	if (err != ZBE_OK)
		return zbe_op_end(&op, err);
	if (zbe_state_running(&op.st, op.be))
		err = zbe_fail(h, ZBE_ERUNNING, name,
		    h->scope == ZBE_SCOPE_HOST ? "is the running boot environment; boot another one first"
		    : "is the running zone's root; activate another one and reboot the zone first");
	else if (zbe_state_once(h, &op.st, op.be))
		err = zbe_fail(h, ZBE_EBOOTFS, name,
		    "is activated for the next boot (beadm activate -t); activate another boot environment first");
	else if (h->scope == ZBE_SCOPE_HOST && zbe_state_next(h, &op.st, op.be))
		err = zbe_fail(h, ZBE_EBOOTFS, name,
		    "is active on reboot; activate another boot environment first");
	else if (zbe_state_returns_to(h, &op.st, op.be))
		err = zbe_fail(h, ZBE_EBOOTFS, name,
		    "is the boot environment the host returns to after its one-time boot (beadm activate -t); "
		    "activate another boot environment first");
	else
		err = zbe_destroy_plan_add(h, &op.st, op.be, flags, &plan);
	/* the zones' BEs that belonged to it go too (their own checks apply) */
	if (err == ZBE_OK && h->scope == ZBE_SCOPE_HOST && op.be->uuid != NULL)
		err = zbe_destroy_plan_zones(h, &op.st, &op.zones, op.be->uuid, flags | ZBE_DESTROY_SNAPSHOTS, &plan);
	/* a kill half-way: the next command destroys the rest */
	if (err == ZBE_OK) {
		/* and its origin's automatic snapshots, which go once unused */
		const char *at = op.be->origin != NULL ? strchr(op.be->origin, '@') : NULL;
		char arg[200];
		snprintf(arg, sizeof(arg), "%s %d %s", op.be->uuid != NULL && h->scope == ZBE_SCOPE_HOST ?
		    op.be->uuid : "-", flags, at != NULL ? at + 1 : "-");
		err = zbe_journal_begin(&op, ZBE_JOURNAL_DESTROY, name, arg);
	}
	if (err == ZBE_OK)
		err = zbe_destroy_plan_run(h, &op.st, &plan);
	zbe_destroy_plan_free(&plan);
	return zbe_op_end(&op, err);
}

zbe_err_t
zbe_destroy_snapshot(zbe_handle_t *h, const char *name, const char *snap)
{
	zbe_op_t op;
	char *full = NULL;
	zbe_err_t err;

	if ((err = zbe_op_begin_snap(h, &op, name, snap, "destroy a snapshot of")) != ZBE_OK)
		return zbe_op_end(&op, err);
	if ((full = zbe_asprintf("%s@%s", op.be->name, snap)) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	else if (zbe_tree_find(&op.st.tree, full) == NULL)
		err = zbe_fail(h, ZBE_ENOENT, full, "no such snapshot");
	else if (zbe_snapshot_has_clones(&op.st, full, NULL, NULL))
		err = zbe_fail(h, ZBE_EHASCLONES, full,
		    "has dependent clones; destroy or promote them first");
	else
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "destroy", "-r", full, NULL);
	free(full);
	return zbe_op_end(&op, err);
}
