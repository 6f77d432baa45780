/*
 * zoneadm move NEWPATH.  A halted zone's zonepath changes: on the pool of
 * its datasets, <zpds> is renamed to the dataset NEWPATH's parent
 * directory is the mount point of (its ZBEs go along, being below it), and
 * the configuration names NEWPATH.  Across pools a rename cannot do it:
 * that is a migration (zoneadm(8), "Migration"), which zbe leaves to ZFS's
 * send and receive.
 *
 * Crash safety: <zpds> is marked org.zbe:move-to=NEWPATH before the
 * rename and cleared after the configuration was written; a zone so
 * marked does not boot, and the same move run again finishes a move that
 * was killed (before the rename: the zone is found at its old dataset;
 * after it: at the new one, with the mark).  A failure undoes what was
 * done.  Only the running host BE's configuration of the zone changes:
 * zone configurations are per host BE.
 */
#include "zone.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An absolute path without empty, "." or ".." components (trailing '/' dropped). */
static char *
clean_path(zbe_handle_t *h, const char *path)
{
	size_t n = strlen(path);

	if (path[0] != '/' || n < 2 || n >= 1024) {
		zbe_fail(h, ZBE_EINVAL, path, "the new zonepath must be an absolute path below /");
		return NULL;
	}
	char *p = strdup(path);
	if (p == NULL) {
		zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		return NULL;
	}
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	for (const char *c = p; c != NULL && *c != '\0'; c = strchr(c + 1, '/')) {
		const char *e = c + 1 + strcspn(c + 1, "/");
		size_t l = (size_t)(e - c - 1);
		if (l == 0 || (l == 1 && c[1] == '.') || (l == 2 && c[1] == '.' && c[2] == '.')) {
			zbe_fail(h, ZBE_EINVAL, path, "the new zonepath must not have empty, . or .. components");
			free(p);
			return NULL;
		}
	}
	return p;
}

/* A directory that is there and not empty would be hidden by the mount. */
static bool
nonempty_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool r = false;

	if (d == NULL)
		return errno != ENOENT;
	while (!r && (e = readdir(d)) != NULL)
		r = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return r;
}

/* Is ds mounted at path? */
static bool
mounted_at(const char *path, const char *ds)
{
	char *m = zbe_mounted_dataset_at(path);
	bool r = m != NULL && strcmp(m, ds) == 0;

	free(m);
	return r;
}

/*
 * zfs-fuse renames no mounted file system ("dataset is busy"), so <zpds>
 * is unmounted first and mounted at its new place after; each of these
 * steps is skipped when a killed move already made it.
 */
static zbe_err_t
steps(zbe_handle_t *h, zbe_zone_conf_t *zc, const char *path, const char *zpds, const char *nzpds,
    const zbe_ds_t *old, bool resume)
{
	zbe_undo_t undo = { 0 };
	char *old_path = zc->zonepath;
	zbe_err_t err = ZBE_OK;

	if (!resume) {
		if (old->move_to == NULL) {
			char *mark = zbe_asprintf("%s=%s", ZBE_PROP_MOVE, path);
			err = mark == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
			    : zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", mark, zpds, NULL);
			free(mark);
			if (err == ZBE_OK)
				zbe_undo_zfs(&undo, h, "inherit", ZBE_PROP_MOVE, zpds, NULL);
		}
		if (err == ZBE_OK && mounted_at(old_path, zpds) &&
		    (err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "unmount", zpds, NULL)) == ZBE_OK)
			zbe_undo_zfs(&undo, h, "mount", zpds, NULL);
		if (err == ZBE_OK && (err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "rename", zpds, nzpds, NULL)) == ZBE_OK)
			zbe_undo_zfs(&undo, h, "rename", nzpds, zpds, NULL);
		/* a mountpoint set on <zpds> itself would stay at the old path */
		if (err == ZBE_OK && old->mountpoint_local)
			err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "inherit", ZBE_PROP_MOUNTPOINT, nzpds, NULL);
	}
	if (err == ZBE_OK && !mounted_at(path, nzpds) &&
	    (err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "mount", nzpds, NULL)) == ZBE_OK)
		zbe_undo_zfs(&undo, h, "unmount", nzpds, NULL);
	if (err == ZBE_OK && !h->dry_run) {
		zc->zonepath = (char *)path;
		err = zbe_zone_conf_write(h, zc);
		zc->zonepath = old_path;
	}
	if (err != ZBE_OK) {
		zbe_undo_run(&undo, h);
		zbe_undo_free(&undo);
		return err;
	}
	zbe_undo_free(&undo);
	/* the configuration names the new path: from here on, forward only */
	if ((err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "inherit", ZBE_PROP_MOVE, nzpds, NULL)) != ZBE_OK)
		return zbe_error_prepend(h, "%s: moved, but its mark stays: zoneadm -z %s move %s again clears it",
		    zc->name, zc->name, path);
	if (!h->dry_run)
		(void)rmdir(old_path); /* the mount point zfs left */
	return ZBE_OK;
}

zbe_err_t
zbe_zone_move(zbe_handle_t *h, const char *zone, const char *newpath)
{
	zbe_zone_conf_t zc;
	zbe_state_t st;
	bool have_state = false;
	char *zpds = NULL, *nzpds = NULL, *path = NULL, *pool = NULL, *npool = NULL;
	zbe_err_t err;

	if ((err = zbe_zone_conf_dataset(h, zone, &zc, &zpds)) != ZBE_OK)
		return err;
	if ((path = clean_path(h, newpath)) == NULL) {
		err = zbe_errno(h);
		goto out;
	}
	if (strcmp(path, zc.zonepath) == 0) {
		err = zbe_fail(h, ZBE_EINVAL, zone, "zone is at %s already", path);
		goto out;
	}
	char *old_path = zc.zonepath;
	zc.zonepath = path;
	err = zbe_zone_dataset(h, &zc, &nzpds);
	zc.zonepath = old_path;
	if (err != ZBE_OK)
		goto out;
	pool = zbe_pool_of(zpds);
	npool = zbe_pool_of(nzpds);
	if (pool == NULL || npool == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if (strcmp(pool, npool) != 0) {
		err = zbe_fail(h, ZBE_EINVAL, path, "is on pool %s, zone %s's datasets on %s: a rename stays in its "
		    "pool; between pools a zone is migrated (detach, zfs send -R, zfs recv, attach: "
		    "zoneadm(8), Migration)", npool, zone, pool);
		goto out;
	}
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto unlock;
	const char *roots[] = { pool };
	if ((err = zbe_state_read(h, &st, 0, roots, 1)) != ZBE_OK)
		goto unlock;
	have_state = true;
	const zbe_ds_t *old = zbe_tree_find(&st.tree, zpds), *nd = zbe_tree_find(&st.tree, nzpds);
	bool resume = old == NULL && nd != NULL && nd->move_to != NULL && strcmp(nd->move_to, path) == 0;
	if (resume)
		zbe_log(h, ZBE_LOG_WARN, "zone %s: finishing its interrupted move to %s", zone, path);
	else if (old == NULL)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is not installed (no dataset %s)", zpds);
	else if (old->incomplete)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is incomplete: install or uninstall it");
	else if (old->move_to != NULL && strcmp(old->move_to, path) != 0)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is being moved to %s: zoneadm -z %s move %s finishes it",
		    old->move_to, zone, old->move_to);
	else if (zbe_zone_is_running(h, zone))
		err = zbe_fail(h, ZBE_EBUSY, zone, "zone is running: halt it first");
	else if (zbe_zone_root_mounted(h, zone))
		err = zbe_fail(h, ZBE_EBUSY, zone, "zone is ready (its root is mounted): halt it first");
	else if (nd != NULL)
		err = zbe_fail(h, ZBE_EEXIST, path, "dataset %s exists already", nzpds);
	else if (nonempty_dir(path))
		err = zbe_fail(h, ZBE_EEXIST, path, "exists and is not an empty directory");
	if (err == ZBE_OK)
		err = steps(h, &zc, path, zpds, nzpds, old, resume);
unlock:
	zbe_unlock(h);
out:
	if (have_state)
		zbe_state_free(&st);
	free(zpds);
	free(nzpds);
	free(path);
	free(pool);
	free(npool);
	zbe_zone_conf_free(&zc);
	return err;
}
