/*
 * The OpenZFS 2.x driver: "zfs list -Hp" reads a tree with one call,
 * legacy datasets mount with mount(8) ("mount -t zfs -o zfsutil"), and
 * "zpool get -Hp" reads bootfs.  Selected when the zfs kernel module is
 * loaded.
 */
#include "zfs.h"

#include <stdlib.h>
#include <string.h>

static zbe_err_t
ozfs_read_tree(zbe_handle_t *h, const char *const *roots, size_t nroots, int depth, zbe_tree_t *out)
{
	zbe_argv_t a = { 0 };
	char props[512] = "name";
	zbe_err_t err;

	for (size_t i = 0; zbe_tree_props[i] != NULL; i++) {
		strcat(props, ",");
		strcat(props, zbe_tree_props[i]);
	}
	zbe_argv_add(&a, h->conf.zfs);
	zbe_argv_add(&a, "list");
	zbe_argv_add(&a, "-Hp");
	zbe_argv_add(&a, "-t");
	zbe_argv_add(&a, "filesystem,snapshot");
	zbe_argv_add(&a, "-s");
	zbe_argv_add(&a, "createtxg");
	if (depth < 0) {
		zbe_argv_add(&a, "-r");
	} else {
		zbe_argv_add(&a, "-d");
		zbe_argv_addf(&a, "%d", depth);
	}
	zbe_argv_add(&a, "-o");
	zbe_argv_add(&a, props);
	for (size_t i = 0; i < nroots; i++)
		zbe_argv_add(&a, roots[i]);
	if (a.oom) {
		zbe_argv_free(&a);
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	err = zbe_run_lines(h, (const char *const *)a.v, zbe_tree_list_line, out);
	zbe_argv_free(&a);
	if (err == ZBE_OK)
		zbe_tree_finish(out);
	return err;
}

static zbe_err_t
ozfs_mount(zbe_handle_t *h, const zbe_ds_t *ds, const char *path, bool is_root)
{
	const char *argv[] = { "mount", "-t", "zfs", "-o", "zfsutil", ds->name, path, NULL };

	(void)is_root;
	return zbe_run(h, ZBE_CMD_MUTATE, argv, NULL);
}

static zbe_err_t
ozfs_unmount(zbe_handle_t *h, const char *dataset, const char *path, bool force, bool is_root)
{
	const char *argv[] = { "umount", force ? "-f" : path, force ? path : NULL, NULL };

	(void)dataset;
	(void)is_root;
	return zbe_run(h, ZBE_CMD_MUTATE, argv, NULL);
}

static zbe_err_t
ozfs_get_bootfs(zbe_handle_t *h, const char *pool, char **out)
{
	char *text = NULL;
	zbe_err_t err;

	*out = NULL;
	err = zbe_zpool(h, ZBE_CMD_READ, &text, "get", "-Hp", "-o", "value", "bootfs", pool, NULL);
	if (err != ZBE_OK)
		return err;
	text[strcspn(text, "\n")] = '\0';
	if (strcmp(text, "-") != 0 && *text != '\0')
		*out = strdup(text);
	free(text);
	return ZBE_OK;
}

const zbe_driver_t zbe_driver_openzfs = {
	.name = "openzfs",
	.read_tree = ozfs_read_tree,
	.mount = ozfs_mount,
	.unmount = ozfs_unmount,
	.recursive_snapshot_destroy_ok = true,
	.get_bootfs = ozfs_get_bootfs,
};
