/*
 * What is mounted where, from /proc/self/mountinfo through libmount.
 * zfs-fuse mounts show as fstype "fuse.zfs" with the dataset as source;
 * OpenZFS mounts as "zfs".
 */
#include "base.h"

#include <libmount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

struct zbe_mounts {
	struct libmnt_table *tab;
};

static bool
is_zfs(struct libmnt_fs *fs)
{
	const char *t = mnt_fs_get_fstype(fs);
	return t != NULL && (strcmp(t, "zfs") == 0 || strcmp(t, "fuse.zfs") == 0);
}

zbe_mounts_t *
zbe_mounts_read(void)
{
	zbe_mounts_t *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->tab = mnt_new_table();
	if (m->tab == NULL || mnt_table_parse_mtab(m->tab, "/proc/self/mountinfo") != 0) {
		zbe_mounts_free(m);
		return NULL;
	}
	return m;
}

void
zbe_mounts_free(zbe_mounts_t *m)
{
	if (m == NULL)
		return;
	mnt_unref_table(m->tab);
	free(m);
}

/* The last zfs mount of dataset (the one on top). */
const char *
zbe_mounts_target(const zbe_mounts_t *m, const char *dataset)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_BACKWARD);
	struct libmnt_fs *fs;
	const char *found = NULL;

	if (it == NULL)
		return NULL;
	while (found == NULL && mnt_table_next_fs(m->tab, it, &fs) == 0) {
		const char *src = mnt_fs_get_source(fs);
		if (is_zfs(fs) && src != NULL && strcmp(src, dataset) == 0)
			found = mnt_fs_get_target(fs);
	}
	mnt_free_iter(it);
	return found;
}

/* The zfs dataset mounted on top at path. */
const char *
zbe_mounts_source(const zbe_mounts_t *m, const char *path)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_BACKWARD);
	struct libmnt_fs *fs;
	const char *found = NULL;

	if (it == NULL)
		return NULL;
	while (mnt_table_next_fs(m->tab, it, &fs) == 0) {
		const char *tgt = mnt_fs_get_target(fs);
		if (tgt != NULL && mnt_fs_streq_target(fs, path)) {
			/* the topmost mount at path decides, zfs or not */
			found = is_zfs(fs) ? mnt_fs_get_source(fs) : NULL;
			break;
		}
	}
	mnt_free_iter(it);
	return found;
}

/* The zfs dataset of the mount with this id, or NULL. */
const char *
zbe_mounts_source_by_id(const zbe_mounts_t *m, uint64_t id)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	const char *found = NULL;

	if (it == NULL)
		return NULL;
	while (mnt_table_next_fs(m->tab, it, &fs) == 0) {
		if ((uint64_t)mnt_fs_get_id(fs) == id) {
			found = is_zfs(fs) ? mnt_fs_get_source(fs) : NULL;
			break;
		}
	}
	mnt_free_iter(it);
	return found;
}

char *
zbe_mounted_dataset_at(const char *path)
{
	zbe_mounts_t *m = zbe_mounts_read();
	char *r = NULL;

	if (m != NULL) {
		r = zbe_strdup(zbe_mounts_source(m, path));
		zbe_mounts_free(m);
	}
	return r;
}

char *
zbe_dataset_mountpoint(const char *dataset)
{
	zbe_mounts_t *m = zbe_mounts_read();
	char *r = NULL;

	if (m != NULL) {
		r = zbe_strdup(zbe_mounts_target(m, dataset));
		zbe_mounts_free(m);
	}
	return r;
}

/*
 * The zfs mounts of root_ds and its descendants, deepest mount point first
 * (the order to unmount them in).  Returns the count, or -1 on ENOMEM.
 */
static int
by_depth(const void *a, const void *b)
{
	const zbe_mount_t *x = a, *y = b;
	return (int)strlen(y->target) - (int)strlen(x->target);
}

int
zbe_mounts_under(const zbe_mounts_t *m, const char *root_ds, zbe_mount_t **out)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	zbe_mount_t *v = NULL;
	int n = 0, cap = 0;

	*out = NULL;
	if (it == NULL)
		return -1;
	while (mnt_table_next_fs(m->tab, it, &fs) == 0) {
		const char *src = mnt_fs_get_source(fs);
		if (!is_zfs(fs) || src == NULL || !zbe_ds_under(src, root_ds) || strchr(src, '@'))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			zbe_mount_t *nv = realloc(v, (size_t)cap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				mnt_free_iter(it);
				return -1;
			}
			v = nv;
		}
		v[n].source = src;
		v[n].target = mnt_fs_get_target(fs);
		v[n].id = (uint64_t)mnt_fs_get_id(fs);
		n++;
	}
	mnt_free_iter(it);
	if (n > 1)
		qsort(v, (size_t)n, sizeof(*v), by_depth);
	*out = v;
	return n;
}

/*
 * Detach every mount strictly below path, deepest first (what a killed
 * beadm run left on a BE it had mounted: /proc, /sys, /dev binds).
 * Returns how many, or -1.
 */
int
zbe_detach_below(const char *path)
{
	zbe_mounts_t *m = zbe_mounts_read();
	struct libmnt_iter *it = m != NULL ? mnt_new_iter(MNT_ITER_FORWARD) : NULL;
	struct libmnt_fs *fs;
	zbe_mount_t *v = NULL;
	int n = 0, cap = 0, done = 0;
	size_t pl = strlen(path);

	if (it == NULL) {
		zbe_mounts_free(m);
		return -1;
	}
	while (mnt_table_next_fs(m->tab, it, &fs) == 0) {
		const char *t = mnt_fs_get_target(fs);
		if (t == NULL || strncmp(t, path, pl) != 0 || t[pl] != '/')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			zbe_mount_t *nv = realloc(v, (size_t)cap * sizeof(*v));
			if (nv == NULL)
				break;
			v = nv;
		}
		v[n++] = (zbe_mount_t){ .target = t };
	}
	qsort(v, (size_t)n, sizeof(*v), by_depth);
	for (int i = 0; i < n; i++)
		done += umount2(v[i].target, MNT_DETACH) == 0;
	free(v);
	mnt_free_iter(it);
	zbe_mounts_free(m);
	return done;
}
