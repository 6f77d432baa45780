/*
 * beadm mount / unmount: the BE's tree (mount_tree.c) at a path the
 * caller names or in a new directory, or, when the path is a zone's,
 * the confined way (mount_confined.c).  A failure half-way unmounts what
 * was mounted and removes a directory it made.
 */
#include "be.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


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
		char tmpl[] = ZBE_MNT_TMP_PREFIX "XXXXXX";
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
	int fd = h->dry_run ? -1 : open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && !h->dry_run)
		err = zbe_fail(h, ZBE_EIO, path, "%s", strerror(errno));
	else
		err = zbe_mount_tree(h, st, be, fd, path);
	if (fd >= 0)
		close(fd);
	if (err != ZBE_OK) {
		if (!h->dry_run) {
			zbe_saved_error_t saved;
			zbe_error_save(h, &saved);
			(void)zbe_unmount_tree(h, be->name, false);
			zbe_error_restore(h, &saved);
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

	if (h->scope != ZBE_SCOPE_ZONE || h->confine_root != NULL || path == NULL || h->zonepath == NULL)
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
	if ((h->confine_root = zbe_asprintf("%s/root", h->zonepath)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	return ZBE_OK;
}

static void
unconfine(zbe_handle_t *h)
{
	free(h->confine_root);
	h->confine_root = NULL;
}

/* Mount be: the confined way when the path is in a zone's tree (*out as
 * the caller names paths: the zone's for a zone, the host's for the admin). */
zbe_err_t
zbe_mount_be(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *mountpoint,
    char **out)
{
	char *zout = NULL;
	zbe_err_t err;

	if (h->confine_root != NULL)
		return zbe_mount_confined(h, st, be, mountpoint, out);
	const char *zpath = admin_path_in_zone(h, mountpoint);
	if (zpath == NULL)
		return zbe_mount_locked(h, st, be, mountpoint, out);
	if ((err = confine(h)) != ZBE_OK)
		return err;
	err = zbe_mount_confined(h, st, be, zpath, &zout);
	if (err == ZBE_OK && out != NULL && (*out = zbe_asprintf("%s%s", h->confine_root, zout)) == NULL)
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

	if (h->confine_root != NULL)
		return zbe_unmount_confined(h, be, force);
	char *at = zbe_dataset_mountpoint(be->name);
	bool in_zone = admin_path_in_zone(h, at) != NULL;
	free(at);
	if (!in_zone)
		return zbe_unmount_tree(h, be->name, force);
	if ((err = confine(h)) != ZBE_OK)
		return err;
	err = zbe_unmount_confined(h, be, force);
	unconfine(h);
	return err;
}
