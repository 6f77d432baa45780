/*
 * beadm activate: the host's bootfs (or, in a zone, the active flags of
 * the ZBEs of the running host BE) points at the BE, and the BE is
 * promoted until nothing of it has an origin, so that every older BE can
 * be destroyed without taking this one along (activation.c).
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>

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
zbe_activate(zbe_handle_t *h, const char *name)
{
	zbe_op_t op;
	zbe_err_t err = zbe_op_begin(h, &op, ZBE_OP_BOOTFS | ZBE_OP_ZONES | ZBE_OP_LAYOUT, name, "activate");

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
		err = zbe_check_bootable(h, &op.st, op.be);
	/* a kill between the steps: the next command finishes the activation */
	if (err == ZBE_OK)
		err = zbe_journal_begin(&op, ZBE_JOURNAL_ACTIVATE, name, op.be->uuid);
	if (err == ZBE_OK)
		err = zbe_activate_locked(h, &op.st, &op.zones, op.be->name, op.be->uuid, &op.undo);
	return zbe_op_end(&op, err);
}

/*
 * beadm activate -t: the next boot only.  bootfs names the BE, and the
 * host's container names the BE to return to; the boot script zbe ships
 * for the initramfs points bootfs back and clears the marker while that
 * boot runs, so a boot that dies half-way still comes back.
 */
zbe_err_t
zbe_activate_once(zbe_handle_t *h, const char *name)
{
	zbe_op_t op;
	zbe_err_t err;

	if (h->scope != ZBE_SCOPE_HOST)
		return zbe_fail(h, ZBE_ENOTSUP, name,
		    "cannot activate for one boot: only host boot environments can be (a zone boots its active one)");
	if ((err = zbe_op_begin(h, &op, ZBE_OP_BOOTFS | ZBE_OP_ZONES | ZBE_OP_LAYOUT, name, "activate")) != ZBE_OK)
		return zbe_op_end(&op, err);
	/* the permanent BE: the one a pending one-time activation returns to, else bootfs */
	const char *permanent = zbe_state_revert(&op.st);
	const zbe_ds_t *boot = op.st.bootfs != NULL ? zbe_tree_find(&op.st.tree, op.st.bootfs) : NULL;
	if (permanent == NULL && boot != NULL && zbe_state_is_be(&op.st, boot))
		permanent = zbe_be_name(&op.st, boot);
	if (permanent == NULL || zbe_state_be(&op.st, permanent) == NULL)
		err = zbe_fail(h, ZBE_EBOOTFS, name,
		    "cannot activate for one boot: no boot environment to return to (bootfs names none); "
		    "activate one first (beadm activate BE)");
	else
		err = zbe_check_bootable(h, &op.st, op.be);
	if (err == ZBE_OK && strcmp(permanent, name) == 0) {
		/* back to the permanent one: the pending one-time activation goes */
		if ((err = zbe_journal_begin(&op, ZBE_JOURNAL_ACTIVATE, name, op.be->uuid)) == ZBE_OK)
			err = zbe_activate_locked(h, &op.st, &op.zones, op.be->name, op.be->uuid, &op.undo);
	} else if (err == ZBE_OK && (err = zbe_journal_begin(&op, ZBE_JOURNAL_ONCE, name, permanent)) == ZBE_OK) {
		err = zbe_activate_once_locked(h, &op.st, op.be->name, permanent, &op.undo);
	}
	return zbe_op_end(&op, err);
}
