/*
 * The OpenZFS driver (the kernel module, 2.1 and later): "zfs list -Hp"
 * reads a tree with one call and "zpool get -Hp" reads bootfs, or size and
 * free.  Datasets are mounted with mount(2) itself, where a legacy or any other dataset
 * mounts alike (the kernel takes its options from the properties and
 * ignores "zfsutil", which only tells mount.zfs that zfs(8) called it).
 * No process per mount: under emulation a process start costs more than
 * the mount.
 */
#include "zfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static zbe_err_t
ozfs_read_tree(zbe_handle_t *h, const char *const *roots, size_t nroots, zbe_tree_t *out)
{
	zbe_argv_t a = { 0 };
	char *cols = zbe_tree_props_csv("name");

	zbe_argv_add(&a, h->conf.zfs);
	zbe_argv_add(&a, "list");
	zbe_argv_add(&a, "-Hp");
	zbe_argv_add(&a, "-t");
	zbe_argv_add(&a, "filesystem,snapshot");
	zbe_argv_add(&a, "-s");
	zbe_argv_add(&a, "createtxg");
	zbe_argv_add(&a, "-r");
	zbe_argv_add(&a, "-o");
	zbe_argv_add(&a, cols != NULL ? cols : "");
	a.oom |= cols == NULL;
	free(cols);
	return zbe_tree_run(h, &a, roots, nroots, zbe_tree_list_line, out);
}

static zbe_err_t
ozfs_mount(zbe_handle_t *h, const zbe_ds_t *ds, const char *path, bool is_root)
{
	bool legacy = ds->mountpoint == NULL || strcmp(ds->mountpoint, "legacy") == 0;

	(void)is_root;
	zbe_log(h, h->dry_run ? ZBE_LOG_PLAN : ZBE_LOG_TRACE, "mount -t zfs%s %s %s",
	    legacy ? "" : " -o zfsutil", ds->name, path);
	if (h->dry_run)
		return ZBE_OK;
	if (mount(ds->name, path, "zfs", 0, NULL) != 0)
		return zbe_fail_sys(h, ZBE_EZFS, errno, "mount -t zfs %s %s", ds->name, path);
	return ZBE_OK;
}

static zbe_err_t
ozfs_unmount(zbe_handle_t *h, const char *dataset, const char *path, bool force, const char *restore)
{
	int rc;

	/* mount(2) left the properties as they were: nothing to restore */
	(void)dataset;
	(void)restore;
	zbe_log(h, h->dry_run ? ZBE_LOG_PLAN : ZBE_LOG_TRACE, "umount%s %s", force ? " -f" : "", path);
	if (h->dry_run)
		return ZBE_OK;
	rc = umount2(path, UMOUNT_NOFOLLOW);
	/* -f: a busy one leaves the tree now and goes when its last user does */
	if (rc != 0 && errno == EBUSY && force)
		rc = umount2(path, UMOUNT_NOFOLLOW | MNT_DETACH);
	if (rc != 0)
		return zbe_fail_sys(h, errno == EBUSY ? ZBE_EBUSY : ZBE_EZFS, errno, "umount %s", path);
	return ZBE_OK;
}

/* One line of zpool get's values: NULL for "-" or nothing (malloc). */
static char *
value(const char *s, size_t len)
{
	return len == 0 || (len == 1 && *s == '-') ? NULL : strndup(s, len);
}

static zbe_err_t
ozfs_get_bootfs(zbe_handle_t *h, const char *pool, char **bootfs, char **altroot)
{
	char *text = NULL;
	zbe_err_t err;

	*bootfs = *altroot = NULL;
	/* one line each, in the order asked */
	err = zbe_zpool(h, ZBE_CMD_READ, &text, "get", "-Hp", "-o", "value",
	    ZBE_PROP_BOOTFS "," ZBE_PROP_ALTROOT, pool, NULL);
	if (err != ZBE_OK)
		return err;
	size_t first = strcspn(text, "\n");
	*bootfs = value(text, first);
	if (text[first] == '\n') {
		const char *second = text + first + 1;
		*altroot = value(second, strcspn(second, "\n"));
	}
	free(text);
	return ZBE_OK;
}

static zbe_err_t
ozfs_get_space(zbe_handle_t *h, const char *pool, uint64_t *size, uint64_t *free_bytes)
{
	char *text = NULL, *end;
	zbe_err_t err;

	err = zbe_zpool(h, ZBE_CMD_READ, &text, "get", "-Hp", "-o", "value", "size,free", pool, NULL);
	if (err != ZBE_OK)
		return err;
	*size = strtoull(text, &end, 10);
	bool ok = end != text && *end == '\n';
	if (ok) {
		const char *second = end + 1;
		*free_bytes = strtoull(second, &end, 10);
		ok = end != second && *size > 0;
	}
	if (!ok)
		err = zbe_fail(h, ZBE_EZFS, pool, "cannot read the pool's size and free space");
	free(text);
	return err;
}

const zbe_driver_t zbe_driver_openzfs = {
	.name = "openzfs",
	.read_tree = ozfs_read_tree,
	.mount = ozfs_mount,
	.unmount = ozfs_unmount,
	.get_bootfs = ozfs_get_bootfs,
	.get_space = ozfs_get_space,
	.multi_snapshot = true,
	.channel_programs = true,
};
