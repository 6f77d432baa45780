/* beadm rollback. */
#include "be.h"

#include <string.h>

/*
 * Roll every dataset of the BE back to @snap.  Checked first, all of it:
 * a rollback cannot be undone, so it starts only when every step will
 * work.  Later snapshots are not destroyed behind the user's back.
 */
zbe_err_t
zbe_rollback(zbe_handle_t *h, const char *name, const char *snap)
{
	zbe_op_t op;
	size_t first, end;
	zbe_err_t err;

	if ((err = zbe_op_begin_snap(h, &op, name, snap, "roll back")) != ZBE_OK)
		return zbe_op_end(&op, err);
	const zbe_ds_t *be = op.be;
	if (zbe_state_running(&op.st, be)) {
		err = zbe_fail(h, ZBE_ERUNNING, name, "is the running boot environment; boot another one first");
		goto out;
	}
	zbe_state_range(&op.st, be, &first, &end);
	char target[512];
	snprintf(target, sizeof(target), "%s@%s", be->name, snap);
	if (zbe_tree_find(&op.st.tree, target) == NULL) {
		err = zbe_fail(h, ZBE_ENOENT, target, "no such snapshot");
		goto out;
	}
	/* every dataset that has the snapshot: none may have a later one */
	for (size_t i = first; i < end && err == ZBE_OK; i++) {
		const zbe_ds_t *d = &op.st.tree.ds[i];
		if (!d->snapshot)
			continue;
		const char *at = strchr(d->name, '@');
		char ds[512];
		snprintf(ds, sizeof(ds), "%.*s@%s", (int)(at - d->name), d->name, snap);
		const zbe_ds_t *s = zbe_tree_find(&op.st.tree, ds);
		if (s != NULL && d > s)
			err = zbe_fail(h, ZBE_EHASSNAPS, name,
			    "snapshot %s is newer than %s; destroy it first", d->name, snap);
	}
	/* more than one dataset: a kill between them is finished by the next command */
	if (err == ZBE_OK && zbe_rollback_count(&op.st, be, snap) > 1)
		err = zbe_journal_begin(&op, ZBE_JOURNAL_ROLLBACK, name, snap);
	if (err == ZBE_OK)
		err = zbe_rollback_steps(h, &op.st, be, snap);
out:
	return zbe_op_end(&op, err);
}
