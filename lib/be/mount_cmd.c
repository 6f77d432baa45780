/*
 * beadm mount and unmount: the operation frame around mount.c's steps
 * (a file of its own so that recovery, which unmounts, sits below the
 * frame).
 */
#include "be.h"

#include <stdlib.h>

zbe_err_t
zbe_mount(zbe_handle_t *h, const char *name, const char *mountpoint, char **out)
{
	zbe_op_t op;
	zbe_err_t err;

	if (out != NULL)
		*out = NULL;
	if ((err = zbe_op_begin(h, &op, ZBE_OP_LAYOUT, name, "mount")) == ZBE_OK)
		err = zbe_mount_be(h, &op.st, op.be, mountpoint, out);
	return zbe_op_end(&op, err);
}

/* The BE mounted at path: as the host sees it, or as the zone does. */
static zbe_err_t
be_mounted_at(zbe_handle_t *h, const zbe_state_t *st, const char *path, const zbe_ds_t **out)
{
	char *ds = NULL;
	zbe_err_t err = ZBE_OK;

	*out = NULL;
	if (h->confine_root == NULL)
		ds = zbe_mounted_dataset_at(path);
	else if ((err = zbe_confined_dataset_at(h, path, &ds)) != ZBE_OK)
		return err;
	*out = ds != NULL ? zbe_tree_find(&st->tree, ds) : NULL;
	if (*out == NULL || !zbe_state_is_be(st, *out))
		err = zbe_fail(h, ZBE_ENOTMOUNTED, path, "no boot environment is mounted there");
	free(ds);
	return err;
}

zbe_err_t
zbe_unmount(zbe_handle_t *h, const char *be_or_path, bool force)
{
	bool by_path = be_or_path[0] == '/';
	const zbe_ds_t *be = NULL;
	zbe_op_t op;
	zbe_err_t err;

	if (!by_path && !zbe_name_valid(be_or_path))
		return zbe_fail(h, ZBE_ENAME, be_or_path, "invalid boot environment name");
	if ((err = zbe_op_begin(h, &op, ZBE_OP_LAYOUT, NULL, NULL)) != ZBE_OK)
		return zbe_op_end(&op, err);
	err = by_path ? be_mounted_at(h, &op.st, be_or_path, &be) : zbe_find_be(h, &op.st, be_or_path, &be);
	if (err == ZBE_OK)
		err = zbe_policy_touch(h, &op.st, be, "unmount");
	if (err == ZBE_OK && zbe_state_running(&op.st, be))
		err = zbe_fail(h, ZBE_ERUNNING, zbe_be_name(&op.st, be), "is the running boot environment");
	if (err == ZBE_OK) {
		char *at = zbe_dataset_mountpoint(be->name);
		if (at == NULL)
			err = zbe_fail(h, ZBE_ENOTMOUNTED, zbe_be_name(&op.st, be), "is not mounted");
		free(at);
	}
	if (err == ZBE_OK)
		err = zbe_unmount_be(h, be, force);
	return zbe_op_end(&op, err);
}
