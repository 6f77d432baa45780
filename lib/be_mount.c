/*
 * beadm mount / unmount: a BE's root and then its children below it; the
 * reverse, deepest first, on unmount.  A failure half-way unmounts what
 * was mounted and removes a directory it made.
 */
#include "be_ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_PREFIX "/tmp/" ZBE_MNT_DIR_PREFIX

zbe_err_t
zbe_unmount_ds(zbe_handle_t *h, const char *root_ds, bool force)
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
		err = h->drv->unmount(h, v[i].source, v[i].target, force, is_root);
	}
	/* a directory beadm made for the mount goes with it */
	if (err == ZBE_OK && root_target != NULL && !h->dry_run &&
	    strncmp(root_target, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
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
		err = h->drv->mount(h, d, target, i == first);
		free(target);
	}
	return err;
}

zbe_err_t
zbe_mount_locked(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *mountpoint,
    char **out)
{
	char *path = NULL;
	bool made = false;
	zbe_err_t err;
	char *at = zbe_dataset_mountpoint(be->name);

	if (at != NULL) {
		err = zbe_fail(h, ZBE_EMOUNTED, zbe_be_name(st, be), "is already mounted at %s", at);
		free(at);
		return err;
	}
	if (mountpoint == NULL) {
		char tmpl[] = TMP_PREFIX "XXXXXX";
		if (!h->dry_run && mkdtemp(tmpl) == NULL)
			return zbe_fail(h, ZBE_EIO, tmpl, "%s", strerror(errno));
		path = strdup(tmpl);
		made = true;
	} else {
		struct stat sb;
		if (mountpoint[0] != '/')
			return zbe_fail(h, ZBE_EINVAL, mountpoint, "mount point must be an absolute path");
		if (stat(mountpoint, &sb) != 0) {
			if (errno != ENOENT || (!h->dry_run && mkdir(mountpoint, 0755) != 0))
				return zbe_fail(h, ZBE_EIO, mountpoint, "%s", strerror(errno));
			made = true;
		} else if (!S_ISDIR(sb.st_mode)) {
			return zbe_fail(h, ZBE_EINVAL, mountpoint, "not a directory");
		}
		path = strdup(mountpoint);
	}
	if (path == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	err = zbe_mount_tree(h, st, be, path);
	if (err != ZBE_OK) {
		if (!h->dry_run) {
			char saved[sizeof(h->errmsg)];
			memcpy(saved, h->errmsg, sizeof(saved));
			(void)zbe_unmount_ds(h, be->name, false);
			memcpy(h->errmsg, saved, sizeof(saved));
			h->err = err;
		}
		if (made && !h->dry_run)
			(void)rmdir(path);
		free(path);
		return err;
	}
	if (out != NULL)
		*out = path;
	else
		free(path);
	return ZBE_OK;
}

/*
 * The global administrator working in a zone's tree (beadm -z Z mount ZBE
 * <zonepath>/root/a): the zone may change that tree meanwhile, so such a
 * path is taken as the zone's "/a" and mounted the confined way too.
 * Returns the zone's path (pointing into path), or NULL for any other path.
 */
static const char *
admin_path_in_zone(zbe_handle_t *h, const char *path)
{
	size_t n;

	if (h->scope != ZBE_SCOPE_ZONE || h->mount_root != NULL || path == NULL || h->zonepath == NULL)
		return NULL;
	n = strlen(h->zonepath);
	if (strncmp(path, h->zonepath, n) != 0 || strncmp(path + n, "/root/", 6) != 0)
		return NULL;
	return path + n + strlen("/root");
}

/* Confine h to the zone's root for one call; unconfine undoes it. */
static zbe_err_t
confine(zbe_handle_t *h)
{
	if ((h->mount_root = zbe_asprintf("%s/root", h->zonepath)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	return ZBE_OK;
}

static void
unconfine(zbe_handle_t *h)
{
	free(h->mount_root);
	h->mount_root = NULL;
}

/* Mount be: the confined way when the path is in a zone's tree (*out as
 * the caller names paths: the zone's for a zone, the host's for the admin). */
static zbe_err_t
mount_be(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *mountpoint,
    char **out)
{
	char *zout = NULL;
	zbe_err_t err;

	if (h->mount_root != NULL)
		return zbe_mount_confined(h, st, be, mountpoint, out);
	const char *zpath = admin_path_in_zone(h, mountpoint);
	if (zpath == NULL)
		return zbe_mount_locked(h, st, be, mountpoint, out);
	if ((err = confine(h)) != ZBE_OK)
		return err;
	err = zbe_mount_confined(h, st, be, zpath, &zout);
	if (err == ZBE_OK && out != NULL && (*out = zbe_asprintf("%s%s", h->mount_root, zout)) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	free(zout);
	unconfine(h);
	return err;
}

/* Unmount be: the confined way when it is mounted in a zone's tree. */
zbe_err_t
zbe_unmount_be(zbe_handle_t *h, const zbe_ds_t *be, bool force)
{
	zbe_err_t err;

	if (h->mount_root != NULL)
		return zbe_unmount_confined(h, be, force);
	char *at = zbe_dataset_mountpoint(be->name);
	bool in_zone = admin_path_in_zone(h, at) != NULL;
	free(at);
	if (!in_zone)
		return zbe_unmount_ds(h, be->name, force);
	if ((err = confine(h)) != ZBE_OK)
		return err;
	err = zbe_unmount_confined(h, be, force);
	unconfine(h);
	return err;
}

zbe_err_t
zbe_mount(zbe_handle_t *h, const char *name, const char *mountpoint, char **out)
{
	zbe_state_t st;
	const zbe_ds_t *be;
	zbe_err_t err;

	if (out != NULL)
		*out = NULL;
	if (!zbe_name_valid(name))
		return zbe_fail(h, ZBE_ENAME, name, "invalid boot environment name");
	if ((err = zbe_policy_mutate(h)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	if ((err = zbe_state_read(h, &st, 0, NULL, 0)) != ZBE_OK)
		goto unlock;
	if ((err = zbe_find_be(h, &st, name, &be)) == ZBE_OK &&
	    (err = zbe_policy_touch(h, &st, be, "mount")) == ZBE_OK)
		err = mount_be(h, &st, be, mountpoint, out);
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
	return err;
}

zbe_err_t
zbe_unmount(zbe_handle_t *h, const char *be_or_path, bool force)
{
	zbe_state_t st;
	const zbe_ds_t *be = NULL;
	zbe_err_t err;

	if (be_or_path[0] != '/' && !zbe_name_valid(be_or_path))
		return zbe_fail(h, ZBE_ENAME, be_or_path, "invalid boot environment name");
	if ((err = zbe_policy_mutate(h)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	if ((err = zbe_state_read(h, &st, 0, NULL, 0)) != ZBE_OK)
		goto unlock;
	if (be_or_path[0] == '/') {
		char *ds = NULL;
		if (h->mount_root == NULL)
			ds = zbe_mounted_dataset_at(be_or_path);
		else if ((err = zbe_confined_dataset_at(h, be_or_path, &ds)) != ZBE_OK)
			goto done;
		be = ds != NULL ? zbe_tree_find(&st.tree, ds) : NULL;
		if (be == NULL || !zbe_state_is_be(&st, be))
			err = zbe_fail(h, ZBE_ENOTMOUNTED, be_or_path,
			    "no boot environment is mounted there");
		free(ds);
	} else {
		err = zbe_find_be(h, &st, be_or_path, &be);
	}
	if (err == ZBE_OK)
		err = zbe_policy_touch(h, &st, be, "unmount");
	if (err == ZBE_OK && zbe_state_running(&st, be))
		err = zbe_fail(h, ZBE_ERUNNING, zbe_be_name(&st, be), "is the running boot environment");
	if (err == ZBE_OK) {
		char *at = zbe_dataset_mountpoint(be->name);
		if (at == NULL)
			err = zbe_fail(h, ZBE_ENOTMOUNTED, zbe_be_name(&st, be), "is not mounted");
		free(at);
	}
	if (err == ZBE_OK)
		err = zbe_unmount_be(h, be, force);
done:
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
	return err;
}
