/*
 * The steps of a rollback, shared by beadm rollback and the recovery of
 * an interrupted one: each dataset of the BE that has the snapshot is
 * rolled back to it.  Running them again is harmless.
 */
#include "be.h"

#include <stdio.h>

size_t
zbe_rollback_count(const zbe_state_t *st, const zbe_ds_t *be, const char *snap)
{
	size_t first, end, n = 0;
	char target[512];

	zbe_state_range(st, be, &first, &end);
	for (size_t i = first; i < end; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		snprintf(target, sizeof(target), "%s@%s", d->name, snap);
		n += !d->snapshot && zbe_tree_find(&st->tree, target) != NULL;
	}
	return n;
}

zbe_err_t
zbe_rollback_steps(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *snap)
{
	size_t first, end;
	char target[512];
	zbe_err_t err = ZBE_OK;

	zbe_state_range(st, be, &first, &end);
	for (size_t i = first; i < end && err == ZBE_OK; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (d->snapshot)
			continue;
		snprintf(target, sizeof(target), "%s@%s", d->name, snap);
		if (zbe_tree_find(&st->tree, target) != NULL)
			err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "rollback", target, NULL);
	}
	return err;
}
