/* beadm rename, and beadm rollback. */
#include "be_ops.h"

#include <stdlib.h>
#include <string.h>

zbe_err_t
zbe_rename(zbe_handle_t *h, const char *name, const char *newname)
{
	zbe_state_t st;
	zbe_undo_t undo = { 0 };
	const zbe_ds_t *be;
	char *to = NULL, *at = NULL;
	zbe_err_t err;

	if (!zbe_name_valid(name))
		return zbe_fail(h, ZBE_ENAME, name, "invalid boot environment name");
	if (!zbe_name_valid(newname))
		return zbe_fail(h, ZBE_ENAME, newname, "invalid boot environment name");
	if ((err = zbe_policy_mutate(h)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	if ((err = zbe_state_read(h, &st, ZBE_STATE_BOOTFS, NULL, 0)) != ZBE_OK)
		goto unlock;
	if ((err = zbe_find_be(h, &st, name, &be)) != ZBE_OK ||
	    (err = zbe_policy_touch(h, &st, be, "rename")) != ZBE_OK)
		goto out;
	if (zbe_state_be(&st, newname) != NULL) {
		err = zbe_fail(h, ZBE_EEXIST, newname, "boot environment already exists");
		goto out;
	}
	if (zbe_state_running(&st, be)) {
		err = zbe_fail(h, ZBE_ERUNNING, name, "is the running boot environment; it cannot be renamed");
		goto out;
	}
	if ((at = zbe_dataset_mountpoint(be->name)) != NULL) {
		err = zbe_fail(h, ZBE_EMOUNTED, name, "is mounted at %s; unmount it first", at);
		goto out;
	}
	if (h->drv->rename_remounts_clones) {
		/* zfs-fuse would remount clones of its snapshots; a busy one fails it half-way */
		zbe_mounts_t *m = zbe_mounts_read();
		for (size_t i = 0; m != NULL && i < st.tree.n && err == ZBE_OK; i++) {
			const zbe_ds_t *d = &st.tree.ds[i];
			if (!d->snapshot && d->origin != NULL && zbe_ds_under(d->origin, be->name) &&
			    !zbe_ds_under(d->name, be->name) && zbe_mounts_target(m, d->name) != NULL)
				err = zbe_fail(h, ZBE_EBUSY, name,
				    "cannot rename: %s is a clone of it and mounted at %s, and %s would remount it",
				    d->name, zbe_mounts_target(m, d->name), h->drv->name);
		}
		zbe_mounts_free(m);
		if (err != ZBE_OK)
			goto out;
	}
	if ((to = zbe_asprintf("%s/%s", st.container, newname)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if ((err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "rename", be->name, to, NULL)) != ZBE_OK)
		goto out;
	zbe_undo_zfs(&undo, h, "rename", to, be->name, NULL);
	/* the uuid stays, so zone BEs keep pointing at it; bootfs must follow */
	if (h->scope == ZBE_SCOPE_HOST && zbe_state_next(h, &st, be)) {
		char *pool = zbe_pool_of(to), *val = zbe_asprintf("bootfs=%s", to);
		err = pool == NULL || val == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : zbe_zpool(h, ZBE_CMD_MUTATE, NULL, "set", val, pool, NULL);
		free(pool);
		free(val);
	}
	if (err != ZBE_OK)
		zbe_undo_run(&undo, h);
out:
	zbe_undo_free(&undo);
	free(to);
	free(at);
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
	return err;
}

/*
 * Roll every dataset of the BE back to @snap.  Checked first, all of it:
 * a rollback cannot be undone, so it starts only when every step will
 * work.  Later snapshots are not destroyed behind the user's back.
 */
zbe_err_t
zbe_rollback(zbe_handle_t *h, const char *name, const char *snap)
{
	zbe_state_t st;
	const zbe_ds_t *be;
	size_t first, end;
	zbe_err_t err;

	if (!zbe_name_valid(name))
		return zbe_fail(h, ZBE_ENAME, name, "invalid boot environment name");
	if (!zbe_name_valid(snap))
		return zbe_fail(h, ZBE_ENAME, snap, "invalid snapshot name");
	if ((err = zbe_policy_mutate(h)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	if ((err = zbe_state_read(h, &st, 0, NULL, 0)) != ZBE_OK)
		goto unlock;
	if ((err = zbe_find_be(h, &st, name, &be)) != ZBE_OK ||
	    (err = zbe_policy_touch(h, &st, be, "roll back")) != ZBE_OK)
		goto out;
	if (zbe_state_running(&st, be)) {
		err = zbe_fail(h, ZBE_ERUNNING, name, "is the running boot environment; boot another one first");
		goto out;
	}
	zbe_state_range(&st, be, &first, &end);
	char target[512];
	snprintf(target, sizeof(target), "%s@%s", be->name, snap);
	if (zbe_tree_find(&st.tree, target) == NULL) {
		err = zbe_fail(h, ZBE_ENOENT, target, "no such snapshot");
		goto out;
	}
	/* every dataset that has the snapshot: none may have a later one */
	for (size_t i = first; i < end && err == ZBE_OK; i++) {
		const zbe_ds_t *d = &st.tree.ds[i];
		if (!d->snapshot)
			continue;
		const char *at = strchr(d->name, '@');
		char ds[512];
		snprintf(ds, sizeof(ds), "%.*s@%s", (int)(at - d->name), d->name, snap);
		const zbe_ds_t *s = zbe_tree_find(&st.tree, ds);
		if (s != NULL && d > s)
			err = zbe_fail(h, ZBE_EHASSNAPS, name,
			    "snapshot %s is newer than %s; destroy it first", d->name, snap);
	}
	for (size_t i = first; i < end && err == ZBE_OK; i++) {
		const zbe_ds_t *d = &st.tree.ds[i];
		if (d->snapshot)
			continue;
		snprintf(target, sizeof(target), "%s@%s", d->name, snap);
		if (zbe_tree_find(&st.tree, target) != NULL)
			err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "rollback", target, NULL);
	}
out:
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
	return err;
}
