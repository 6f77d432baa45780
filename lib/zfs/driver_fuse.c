/*
 * The zfs-fuse driver.  zfs-fuse has no "zfs list -p" (so trees are read
 * with "zfs get -Hp"), no "zpool get -H" (bootfs comes from "zpool list
 * -H -o name,bootfs"; sizes like "254M" from "zpool list -H -o size,free"),
 * and legacy datasets cannot be mounted with
 * mount(8): a BE root gets a temporary mountpoint and "zfs mount", and is
 * given back its mountpoint of the layout ("/" or legacy) after it is
 * unmounted.  In a pool with an altroot zfs-fuse puts the altroot in
 * front of every mountpoint it is given, an absolute path too (measured:
 * docs/notes-zfs-fuse.md), so a temporary one climbs out of it first.
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

/* Path components of an absolute path ("/" has none), 0 for anything else. */
static size_t
depth(const char *p)
{
	size_t n = 0;

	if (p == NULL || p[0] != '/')
		return 0;
	for (; *p != '\0'; p++)
		if (*p != '/' && (p[-1] == '/'))
			n++;
	return n;
}

/*
 * "mountpoint=/../..<path>": zfs-fuse mounts at altroot + value, so the
 * value climbs out of the altroot first.  The altroot is system_root
 * (zbe refuses a "/" layout in any other pool), and a root's mountpoint,
 * as zfs reports it, begins with it: climbing as many levels as the
 * deeper of the two has reaches "/" whatever the altroot (".." at "/"
 * stays there, so it is harmless in a pool without one), and there is
 * none at all on a host whose system_root is "/".
 */
static char *
temporary_mountpoint(zbe_handle_t *h, const zbe_ds_t *ds, const char *path)
{
	size_t up = depth(h->conf.system_root), own = depth(ds->mountpoint);
	size_t n = up > own ? up : own;
	char *climb = calloc(n + 1, 3), *mp;

	if (climb == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		memcpy(climb + 3 * i, "/..", 3);
	mp = zbe_asprintf("%s=%s%s", ZBE_PROP_MOUNTPOINT, climb, path);
	free(climb);
	return mp;
}

/* What a root that failed to mount gets back: legacy stays legacy, and
 * anything else is zbe's layout. */
static const char *
mount_restore(zbe_handle_t *h, const zbe_ds_t *ds)
{
	if (ds->mountpoint == NULL || strcmp(ds->mountpoint, ZBE_MOUNTPOINT_LEGACY) == 0)
		return ZBE_MOUNTPOINT_LEGACY;
	return zbe_root_layout(h, ds->name);
}

static zbe_err_t
set_mountpoint(zbe_handle_t *h, const char *dataset, const char *value)
{
	char *mp = zbe_asprintf("%s=%s", ZBE_PROP_MOUNTPOINT, value);
	zbe_err_t err;

	if (mp == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", mp, dataset, NULL);
	free(mp);
	return err;
}

static zbe_err_t
fuse_mount(zbe_handle_t *h, const zbe_ds_t *ds, const char *path, bool is_root)
{
	zbe_err_t err;

	if (!is_root)
		return zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "mount", ds->name, NULL);
	char *mp = temporary_mountpoint(h, ds, path);
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
		(void)set_mountpoint(h, ds->name, mount_restore(h, ds));
		err = zbe_error_restore(h, &saved);
	}
	return err;
}

static zbe_err_t
fuse_unmount(zbe_handle_t *h, const char *dataset, const char *path, bool force, const char *restore)
{
	zbe_err_t err;

	(void)path;
	if (force)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "unmount", "-f", dataset, NULL);
	else
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "unmount", dataset, NULL);
	if (err == ZBE_OK && restore != NULL)
		err = set_mountpoint(h, dataset, restore);
	return err;
}

/* One column of zpool list: NULL for "-" or nothing (malloc). */
static char *
column(const char *s)
{
	return s == NULL || *s == '\0' || strcmp(s, "-") == 0 ? NULL : strdup(s);
}

static zbe_err_t
fuse_get_bootfs(zbe_handle_t *h, const char *pool, char **bootfs, char **altroot)
{
	char *text = NULL, *tab, *tab2 = NULL;
	zbe_err_t err;

	*bootfs = *altroot = NULL;
	err = zbe_zpool(h, ZBE_CMD_READ, &text, "list", "-H", "-o",
	    "name," ZBE_PROP_BOOTFS "," ZBE_PROP_ALTROOT, pool, NULL);
	if (err != ZBE_OK)
		return err;
	text[strcspn(text, "\n")] = '\0';
	if ((tab = strchr(text, '\t')) != NULL && (tab2 = strchr(tab + 1, '\t')) != NULL)
		*tab2++ = '\0';
	*bootfs = column(tab != NULL ? tab + 1 : NULL);
	*altroot = column(tab2);
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
	.clone_mounts = true,
};
