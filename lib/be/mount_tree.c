/*
 * A BE's datasets mounted as one tree: its root at a path and its
 * children below it; unmounted the reverse way, deepest first.  Used by
 * beadm mount (mount.c), by zone mounts (mount_confined.c) and by zone
 * boot.
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>


zbe_err_t
zbe_unmount_tree(zbe_handle_t *h, const char *root_ds, bool force)
{
	zbe_mounts_t *m = zbe_mounts_read();
	zbe_mount_t *v = NULL;
	zbe_err_t err = ZBE_OK;
	char *root_target = NULL;
	int n;

	if (m == NULL)
		return zbe_fail(h, ZBE_EIO, "/proc/self/mountinfo", "cannot read the mount table");
	if ((n = zbe_mounts_under(m, root_ds, &v)) < 0) {
		zbe_mounts_free(m);
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	for (int i = 0; i < n && err == ZBE_OK; i++) {
		bool is_root = strcmp(v[i].source, root_ds) == 0;
		if (is_root && root_target == NULL)
			root_target = strdup(v[i].target);
		err = zbe_drv(h)->unmount(h, v[i].source, v[i].target, force, is_root);
	}
	/* a directory beadm made for the mount goes with it */
	if (err == ZBE_OK && root_target != NULL && !h->dry_run &&
	    strncmp(root_target, ZBE_MNT_TMP_PREFIX, strlen(ZBE_MNT_TMP_PREFIX)) == 0)
		(void)rmdir(root_target);
	free(root_target);
	free(v);
	zbe_mounts_free(m);
	return err;
}

zbe_err_t
zbe_mount_tree(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *path)
{
	size_t first, end, plen = strlen(be->name);
	zbe_err_t err = ZBE_OK;

	zbe_state_range(st, be, &first, &end);
	for (size_t i = first; i < end && err == ZBE_OK; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (d->snapshot || (i > first && d->canmount != NULL && strcmp(d->canmount, "off") == 0))
			continue;
		if (i > first && d->mountpoint_local) {
			err = zbe_fail(h, ZBE_EINVAL, d->name,
			    "has a mountpoint of its own; children of a boot environment must inherit it");
			break;
		}
		char *target = zbe_asprintf("%s%s", path, d->name + plen);
		if (target == NULL)
			return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		err = zbe_drv(h)->mount(h, d, target, i == first);
		free(target);
	}
	return err;
}
