/*
 * A BE's datasets mounted as one tree onto a directory; unmounted the
 * reverse way, deepest first.  Used by beadm mount (mount.c) and by the
 * mounts a zone asks for (mount_confined.c).
 *
 * A child dataset's mount point ("<root>/var") lies inside the BE's own
 * files, which the zone the BE belongs to (or anyone who could write the
 * BE) controls: it can make "var" a symlink to a host directory, and zfs
 * or mount(2) would follow it and mount the child over the host's files.
 * So no path through the BE is ever handed to zfs or mount(2):
 *
 *   1. the root is mounted in the staging area (mount_stage.c) and moved
 *      to its "tree" directory, where the tree is put together;
 *   2. each child, parents first, is mounted in the staging slot (zfs's
 *      mount point for it: the root's temporary one plus the child's
 *      suffix, all on the staging tmpfs) and moved onto its directory,
 *      opened beneath the root's descriptor one component at a time with
 *      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS (a missing one made with
 *      mkdirat beneath its parent's descriptor); a symlink or anything
 *      but a directory in the way is refused;
 *   3. the whole tree is moved onto the target descriptor.
 *
 * On a failure everything mounted so far is unmounted again.  Host BEs
 * and zone BEs take the same path: one way to mount a BE.
 */
#include "be.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)
#define BENEATH (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

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
		err = zbe_drv(h)->unmount(h, v[i].source, v[i].target, force,
		    is_root ? zbe_root_layout(h, root_ds) : NULL);
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

/* Is the dataset at index i (of the range starting at first) mounted with the tree? */
static bool
mounted_with(const zbe_state_t *st, size_t i, size_t first)
{
	const zbe_ds_t *d = &st->tree.ds[i];

	if (d->snapshot)
		return false;
	return i == first || d->canmount == NULL || strcmp(d->canmount, "off") != 0;
}

/*
 * The directory rel ("var/log") beneath rootfd, each component opened
 * with no symlink followed and made when missing; -1 and errno else.
 */
static int
open_target(int rootfd, const char *rel)
{
	char *copy = strdup(rel), *save = NULL;
	int cur = rootfd, e = 0;

	if (copy == NULL)
		return -1;
	for (char *c = strtok_r(copy, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		int fd = zbe_openat2(cur, c, DIR_FLAGS, BENEATH);
		if (fd < 0 && errno == ENOENT && (mkdirat(cur, c, 0755) == 0 || errno == EEXIST))
			fd = zbe_openat2(cur, c, DIR_FLAGS, BENEATH);
		e = errno;
		if (cur != rootfd)
			close(cur);
		if ((cur = fd) < 0)
			break;
	}
	free(copy);
	if (cur == rootfd) { /* no component: never the root itself */
		e = EINVAL;
		cur = -1;
	}
	errno = e;
	return cur;
}

static zbe_err_t
target_error(zbe_handle_t *h, const zbe_ds_t *d, const char *shown, const char *suffix, int e)
{
	if (e == ELOOP || e == EXDEV)
		return zbe_fail(h, ZBE_EPERM, d->name, "its mount point %s%s is or passes through a symbolic link; "
		    "nothing was mounted", shown, suffix);
	if (e == ENOTDIR || e == EEXIST)
		return zbe_fail(h, ZBE_EINVAL, d->name, "its mount point %s%s is not a directory; nothing was mounted",
		    shown, suffix);
	return zbe_fail(h, ZBE_EIO, d->name, "its mount point %s%s: %s", shown, suffix, strerror(e));
}

/* Mount child d in the staging slot, then move it onto its directory beneath rootfd. */
static zbe_err_t
mount_child(zbe_handle_t *h, const zbe_stage_t *s, int rootfd, const zbe_ds_t *d, const char *suffix,
    const char *shown)
{
	char *slot = zbe_asprintf("%s%s", s->slot, suffix);
	int fd = -1, tfd = -1;
	zbe_err_t err;

	if (slot == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	/* the target first: a symlink in the BE refuses the child before zfs mounts it */
	if ((tfd = open_target(rootfd, suffix)) < 0)
		err = target_error(h, d, shown, suffix, errno);
	else if ((err = zbe_mkdir_p(h, slot)) == ZBE_OK && (err = zbe_drv(h)->mount(h, d, slot, false)) == ZBE_OK) {
		if ((fd = open(slot, DIR_FLAGS | O_NOFOLLOW)) < 0 || zbe_move_onto(fd, tfd) != 0)
			err = zbe_fail(h, ZBE_EIO, d->name, "cannot move its mount to %s%s: %s", shown, suffix,
			    strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	if (tfd >= 0)
		close(tfd);
	free(slot);
	return err;
}

/* -n: the plan, as the driver says it, at the paths the mounts end up at. */
static zbe_err_t
plan(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, size_t first, size_t end, const char *shown)
{
	zbe_err_t err = ZBE_OK;

	for (size_t i = first; i < end && err == ZBE_OK; i++) {
		if (!mounted_with(st, i, first))
			continue;
		char *target = zbe_asprintf("%s%s", shown, st->tree.ds[i].name + strlen(be->name));
		if (target == NULL)
			return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		err = zbe_drv(h)->mount(h, &st->tree.ds[i], target, i == first);
		free(target);
	}
	return err;
}

zbe_err_t
zbe_mount_tree(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, int targetfd, const char *shown)
{
	size_t first, end, plen = strlen(be->name);
	zbe_stage_t s = { 0 };
	zbe_err_t err = ZBE_OK;
	int rootfd = -1, treefd = -1;

	zbe_state_range(st, be, &first, &end);
	for (size_t i = first + 1; i < end; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (mounted_with(st, i, first) && d->mountpoint_local)
			return zbe_fail(h, ZBE_EINVAL, d->name,
			    "has a mountpoint of its own; children of a boot environment must inherit it");
	}
	if (h->dry_run)
		return plan(h, st, be, first, end, shown);
	if ((err = zbe_stage_open(h, &s)) != ZBE_OK)
		return err;
	if ((err = zbe_drv(h)->mount(h, be, s.slot, true)) != ZBE_OK)
		goto out;
	if ((rootfd = open(s.slot, DIR_FLAGS | O_NOFOLLOW)) < 0 || (treefd = open(s.tree, DIR_FLAGS)) < 0 ||
	    zbe_move_onto(rootfd, treefd) != 0) {
		err = zbe_fail(h, ZBE_EIO, be->name, "cannot move its mount out of %s: %s", s.slot, strerror(errno));
		goto out;
	}
	for (size_t i = first + 1; i < end && err == ZBE_OK; i++)
		if (mounted_with(st, i, first))
			err = mount_child(h, &s, rootfd, &st->tree.ds[i], st->tree.ds[i].name + plen, shown);
	if (err == ZBE_OK && zbe_move_onto(rootfd, targetfd) != 0)
		err = zbe_fail(h, ZBE_EIO, shown, "cannot move the mount there: %s", strerror(errno));
out:
	if (rootfd >= 0)
		close(rootfd);
	if (treefd >= 0)
		close(treefd);
	if (err != ZBE_OK) {
		zbe_saved_error_t saved;
		zbe_error_save(h, &saved);
		(void)zbe_unmount_tree(h, be->name, true);
		zbe_error_restore(h, &saved);
	}
	zbe_stage_close(&s);
	return err;
}
