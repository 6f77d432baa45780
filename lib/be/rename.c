/*
 * beadm rename: the BE's root is renamed (its uuid stays, so its zones'
 * BEs keep pointing at it), and bootfs follows it.
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>

zbe_err_t
zbe_rename(zbe_handle_t *h, const char *name, const char *newname)
{
	zbe_op_t op;
	char *to = NULL, *at = NULL;
	zbe_err_t err;

	if (!zbe_name_valid(name))
		return zbe_fail(h, ZBE_ENAME, name, "invalid boot environment name");
	if (!zbe_name_valid(newname))
		return zbe_fail(h, ZBE_ENAME, newname, "invalid boot environment name");
	if ((err = zbe_op_begin(h, &op, ZBE_OP_BOOTFS, name, "rename")) != ZBE_OK)
		return zbe_op_end(&op, err);
	const zbe_ds_t *be = op.be;
	if (zbe_state_be(&op.st, newname) != NULL) {
		err = zbe_fail(h, ZBE_EEXIST, newname, "boot environment already exists");
		goto out;
	}
	if (zbe_state_running(&op.st, be)) {
		err = zbe_fail(h, ZBE_ERUNNING, name, "is the running boot environment; it cannot be renamed");
		goto out;
	}
	if ((at = zbe_dataset_mountpoint(be->name)) != NULL) {
		err = zbe_fail(h, ZBE_EMOUNTED, name, "is mounted at %s; unmount it first", at);
		goto out;
	}
	if (zbe_drv(h)->rename_remounts_clones) {
		/* zfs-fuse would remount clones of its snapshots; a busy one fails it half-way */
		zbe_mounts_t *m = zbe_mounts_read();
		for (size_t i = 0; m != NULL && i < op.st.tree.n && err == ZBE_OK; i++) {
			const zbe_ds_t *d = &op.st.tree.ds[i];
			if (!d->snapshot && d->origin != NULL && zbe_ds_under(d->origin, be->name) &&
			    !zbe_ds_under(d->name, be->name) && zbe_mounts_target(m, d->name) != NULL)
				err = zbe_fail(h, ZBE_EBUSY, name,
				    "cannot rename: %s is a clone of it and mounted at %s, and %s would remount it",
				    d->name, zbe_mounts_target(m, d->name), zbe_drv(h)->name);
		}
		zbe_mounts_free(m);
		if (err != ZBE_OK)
			goto out;
	}
	if ((to = zbe_asprintf("%s/%s", op.st.container, newname)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	/* bootfs (and the marker of a one-time activation returning to it)
	 * follows in a second step: a kill between is finished next time */
	bool follow = h->scope == ZBE_SCOPE_HOST && zbe_state_next(h, &op.st, be);
	bool marker = zbe_state_returns_to(h, &op.st, be);
	if ((follow || marker) && (err = zbe_journal_begin(&op, ZBE_JOURNAL_RENAME, name, newname)) != ZBE_OK)
		goto out;
	if ((err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "rename", be->name, to, NULL)) != ZBE_OK)
		goto out;
	zbe_undo_zfs(&op.undo, h, "rename", to, be->name, NULL);
	/* the uuid stays, so zone BEs keep pointing at it; bootfs must follow */
	if (marker && (err = zbe_set_revert(h, &op.st, newname)) == ZBE_OK) {
		char *old = zbe_asprintf("%s=%s", ZBE_PROP_NEXTBOOT_REVERT, name);
		zbe_undo_zfs(&op.undo, h, "set", old != NULL ? old : "", op.st.host_container, NULL);
		free(old);
	}
	if (err == ZBE_OK && follow)
		err = zbe_set_bootfs(h, to);
out:
	free(to);
	free(at);
	return zbe_op_end(&op, err);
}
