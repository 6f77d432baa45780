/*
 * The zfs-fuse driver.  zfs-fuse has no "zfs list -p" (so trees are read
 * with "zfs get -Hp"), no "zpool get -H" (bootfs comes from "zpool list
 * -H -o name,bootfs"; sizes like "254M" from "zpool list -H -o size,free"),
 * and legacy datasets cannot be mounted with
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

/* "254M", "1.50G", "0": zpool list's rounded sizes, in bytes. */
static bool
parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "BKMGTPE";
	char *end;
	double v = strtod(s, &end);
	const char *u;

	if (end == s || v < 0)
		return false;
	if (*end == '\0') {
		*out = (uint64_t)v;
		return true;
	}
	if ((u = strchr(units, *end)) == NULL || end[1] != '\0')
		return false;
	for (long i = u - units; i > 0; i--)
		v *= 1024;
	*out = (uint64_t)v;
	return true;
}

static zbe_err_t
fuse_get_space(zbe_handle_t *h, const char *pool, uint64_t *size, uint64_t *free_bytes)
{
	char *text = NULL, *tab;
	zbe_err_t err;

	err = zbe_zpool(h, ZBE_CMD_READ, &text, "list", "-H", "-o", "size,free", pool, NULL);
	if (err != ZBE_OK)
		return err;
	text[strcspn(text, "\n")] = '\0';
	if ((tab = strchr(text, '\t')) != NULL)
		*tab++ = '\0';
	if (tab == NULL || !parse_size(text, size) || !parse_size(tab, free_bytes) || *size == 0)
		err = zbe_fail(h, ZBE_EZFS, pool, "cannot read the pool's size and free space");
	free(text);
	return err;
}

const zbe_driver_t zbe_driver_fuse = {
	.name = "zfs-fuse",
	.read_tree = fuse_read_tree,
	.mount = fuse_mount,
	.unmount = fuse_unmount,
	.get_bootfs = fuse_get_bootfs,
	.get_space = fuse_get_space,
	.rename_remounts_clones = true,
};
