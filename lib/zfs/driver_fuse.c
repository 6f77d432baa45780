/*
 * The zfs-fuse driver.  zfs-fuse has no "zfs list -p" (so trees are read
 * with "zfs get -Hp"), no "zpool get -H" (bootfs comes from "zpool list
 * -H -o name,bootfs"), and legacy datasets cannot be mounted with
 * mount(8): a BE root gets a temporary mountpoint and "zfs mount", and is
 * made legacy again after it is unmounted.
 */
#include "zfs.h"

#include <stdlib.h>
#include <string.h>

static zbe_err_t
fuse_read_tree(zbe_handle_t *h, const char *const *roots, size_t nroots, zbe_tree_t *out)
{
	zbe_argv_t a = { 0 };
	char *props = zbe_tree_props_csv(NULL);

	zbe_argv_add(&a, h->conf.zfs);
	zbe_argv_add(&a, "get");
	zbe_argv_add(&a, "-Hp");
	zbe_argv_add(&a, "-r");
	zbe_argv_add(&a, "-o");
	zbe_argv_add(&a, "name,property,value,source");
	zbe_argv_add(&a, props != NULL ? props : "");
	a.oom |= props == NULL;
	free(props);
	return zbe_tree_run(h, &a, roots, nroots, zbe_tree_get_line, out);
}

static zbe_err_t
fuse_mount(zbe_handle_t *h, const zbe_ds_t *ds, const char *path, bool is_root)
{
	zbe_err_t err;

	if (!is_root)
		return zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "mount", ds->name, NULL);
	char *mp = zbe_asprintf("mountpoint=%s", path);
	if (mp == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", mp, ds->name, NULL);
	free(mp);
	if (err != ZBE_OK)
		return err;
	err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "mount", ds->name, NULL);
	if (err != ZBE_OK) {
		zbe_saved_error_t saved;
		zbe_error_save(h, &saved);
		(void)zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", "mountpoint=legacy", ds->name, NULL);
		err = zbe_error_restore(h, &saved);
	}
	return err;
}

static zbe_err_t
fuse_unmount(zbe_handle_t *h, const char *dataset, const char *path, bool force, bool is_root)
{
	zbe_err_t err;

	(void)path;
	if (force)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "unmount", "-f", dataset, NULL);
	else
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "unmount", dataset, NULL);
	if (err == ZBE_OK && is_root)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", "mountpoint=legacy", dataset, NULL);
	return err;
}

static zbe_err_t
fuse_get_bootfs(zbe_handle_t *h, const char *pool, char **out)
{
	char *text = NULL, *tab;
	zbe_err_t err;

	*out = NULL;
	err = zbe_zpool(h, ZBE_CMD_READ, &text, "list", "-H", "-o", "name,bootfs", pool, NULL);
	if (err != ZBE_OK)
		return err;
	text[strcspn(text, "\n")] = '\0';
	if ((tab = strchr(text, '\t')) != NULL && strcmp(tab + 1, "-") != 0 && tab[1] != '\0')
		*out = strdup(tab + 1);
	free(text);
	return ZBE_OK;
}

const zbe_driver_t zbe_driver_fuse = {
	.name = "zfs-fuse",
	.read_tree = fuse_read_tree,
	.mount = fuse_mount,
	.unmount = fuse_unmount,
	.get_bootfs = fuse_get_bootfs,
	.rename_remounts_clones = true,
};
