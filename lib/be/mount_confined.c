/*
 * Mounts a zone asks for, confined to the zone's root.
 *
 * The zone names a path as it sees it ("/a"); on the host that is below
 * <zonepath>/root, a tree the zone can change at any moment.  Checking a
 * path string and then handing it to "zfs mount" (which the zfs daemon
 * resolves later, following symlinks) lets a zone swap a directory for a
 * symlink in between and get a ZBE mounted anywhere on the host.  So no
 * zone-controlled path string ever reaches a mount:
 *
 *   1. the target is opened from a descriptor of the zone root with
 *      openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS): it is inside the
 *      zone, and stays the same directory whatever the zone does later;
 *   2. the BE's tree is put together in the staging area below run_dir
 *      (mount_tree.c: its children never by a path through the BE) and
 *      moved onto the target descriptor (move_mount).
 *
 * Unmounting checks the mount id seen through a descriptor opened inside
 * the zone against the mount table, and unmounts by the last name below a
 * descriptor of the parent directory (no path string is resolved again).
 */
#include "be.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZONE_TMP_PREFIX ZBE_MNT_DIR_PREFIX

#define NO_LINKS (RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)

/* A directory below the zone root, opened without following any symlink. */
static int
open_in_root(int rootfd, const char *path)
{
	return zbe_openat2(rootfd, path, DIR_FLAGS, RESOLVE_IN_ROOT | NO_LINKS);
}

/* A directory right below parentfd, no symlink followed. */
static int
open_beneath(int parentfd, const char *name)
{
	return zbe_openat2(parentfd, name, DIR_FLAGS, RESOLVE_BENEATH | NO_LINKS);
}

static zbe_err_t
path_error(zbe_handle_t *h, const char *path, int e)
{
	if (e == ELOOP)
		return zbe_fail(h, ZBE_EPERM, path, "has a symbolic link in it; give the real path");
	if (e == ENOTDIR)
		return zbe_fail(h, ZBE_EINVAL, path, "not a directory");
	return zbe_fail(h, ZBE_EIO, path, "%s", strerror(e));
}

static bool
has_dotdot(const char *p)
{
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
	}
	return false;
}

/* The mount id of the mount whose root fd is, or 0 when fd is no mount's root. */
static uint64_t
mount_root_id(int fd)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) != 0 || !(sx.stx_mask & STATX_MNT_ID))
		return 0;
	if ((sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return 0;
	return sx.stx_mnt_id;
}

/* ---- mount --------------------------------------------------------------- */

/* The target in the zone: made if missing (its last component only). */
typedef struct target {
	int parentfd;  /* the directory holding it */
	char *base;    /* its name there */
	int fd;        /* the target itself */
	bool made;     /* made by us: removed again on failure and unmount */
} target_t;

static void
target_close(target_t *t, bool remove)
{
	if (t->fd >= 0)
		close(t->fd);
	if (remove && t->made && t->parentfd >= 0)
		(void)unlinkat(t->parentfd, t->base, AT_REMOVEDIR);
	if (t->parentfd >= 0)
		close(t->parentfd);
	free(t->base);
	*t = (target_t){ .parentfd = -1, .fd = -1 };
}

/* A new directory in the zone's /tmp; *zpath is its path in the zone. */
static zbe_err_t
target_new_tmp(zbe_handle_t *h, int rootfd, target_t *t, char **zpath)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	if ((t->parentfd = open_in_root(rootfd, "/tmp")) < 0)
		return path_error(h, "/tmp", errno);
	for (int tries = 0; tries < 100; tries++) {
		unsigned char r[8];
		char name[sizeof(ZONE_TMP_PREFIX) + sizeof(r)];
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return zbe_fail(h, ZBE_EIO, "getrandom", "%s", strerror(errno));
		memcpy(name, ZONE_TMP_PREFIX, sizeof(ZONE_TMP_PREFIX) - 1);
		for (size_t i = 0; i < sizeof(r); i++)
			name[sizeof(ZONE_TMP_PREFIX) - 1 + i] = digits[r[i] % (sizeof(digits) - 1)];
		name[sizeof(name) - 1] = '\0';
		if (h->dry_run) {
			t->base = strdup(name);
			break;
		}
		if (mkdirat(t->parentfd, name, 0700) == 0) {
			t->base = strdup(name);
			t->made = true;
			break;
		}
		if (errno != EEXIST)
			return zbe_fail(h, ZBE_EIO, "/tmp", "%s", strerror(errno));
	}
	if (t->base == NULL || (*zpath = zbe_asprintf("/tmp/%s", t->base)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	return ZBE_OK;
}

static zbe_err_t
target_open(zbe_handle_t *h, int rootfd, const char *zpath, target_t *t)
{
	char *dir = strdup(zpath), *slash;
	size_t n;
	zbe_err_t err = ZBE_OK;

	if (dir == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	/* "/x/y//" is "/x/y"; "/" itself is the zone's root, never a mount point */
	for (n = strlen(dir); n > 0 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	if (n == 0) {
		free(dir);
		return zbe_fail(h, ZBE_EINVAL, zpath, "is the zone's root directory");
	}
	slash = strrchr(dir, '/');
	*slash = '\0';
	t->base = strdup(slash + 1);
	if ((t->parentfd = open_in_root(rootfd, dir[0] ? dir : "/")) < 0)
		err = path_error(h, zpath, errno);
	else if (t->base == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	free(dir);
	return err;
}

/* Open (making it if missing) the target below parentfd, no symlinks. */
static zbe_err_t
target_finish(zbe_handle_t *h, const char *zpath, target_t *t)
{
	if (t->fd >= 0 || h->dry_run)
		return ZBE_OK;
	for (int tries = 0; tries < 2; tries++) {
		int fd = open_beneath(t->parentfd, t->base);
		if (fd >= 0) {
			t->fd = fd;
			return ZBE_OK;
		}
		if (errno != ENOENT || t->made)
			return path_error(h, zpath, errno);
		if (mkdirat(t->parentfd, t->base, 0755) == 0)
			t->made = true;
		else if (errno != EEXIST)
			return path_error(h, zpath, errno);
	}
	return path_error(h, zpath, ENOENT);
}

zbe_err_t
zbe_mount_confined(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *zpath,
    char **out)
{
	target_t t = { .parentfd = -1, .fd = -1 };
	char *where = NULL, *at;
	zbe_err_t err;
	int rootfd;

	if ((at = zbe_dataset_mountpoint(be->name)) != NULL) {
		err = zbe_fail(h, ZBE_EMOUNTED, zbe_be_name(st, be), "is already mounted");
		free(at);
		return err;
	}
	if (zpath != NULL && zpath[0] != '/')
		return zbe_fail(h, ZBE_EINVAL, zpath, "mount point must be an absolute path");
	if (zpath != NULL && has_dotdot(zpath))
		return zbe_fail(h, ZBE_EINVAL, zpath, "has a '..' component");
	if ((rootfd = open(h->confine_root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return zbe_fail(h, ZBE_EIO, h->confine_root, "%s", strerror(errno));
	if (zpath == NULL)
		err = target_new_tmp(h, rootfd, &t, &where);
	else if ((err = target_open(h, rootfd, zpath, &t)) == ZBE_OK && (where = strdup(zpath)) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	close(rootfd);
	if (err == ZBE_OK)
		err = target_finish(h, where, &t);
	if (err == ZBE_OK)
		err = zbe_mount_tree(h, st, be, t.fd, where);

	target_close(&t, err != ZBE_OK);
	if (err == ZBE_OK && out != NULL)
		*out = where;
	else
		free(where);
	return err;
}

/* ---- unmount ------------------------------------------------------------- */

/* The zone path of a host path below the zone root, or NULL. */
static const char *
zone_view(const zbe_handle_t *h, const char *host)
{
	size_t rl = strlen(h->confine_root);

	if (strncmp(host, h->confine_root, rl) != 0 || (host[rl] != '/' && host[rl] != '\0'))
		return NULL;
	return host[rl] == '\0' ? "/" : host + rl;
}

zbe_err_t
zbe_confined_dataset_at(zbe_handle_t *h, const char *zpath, char **out)
{
	zbe_mounts_t *m;
	uint64_t id = 0;
	int rootfd, fd = -1;

	*out = NULL;
	if ((rootfd = open(h->confine_root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return zbe_fail(h, ZBE_EIO, h->confine_root, "%s", strerror(errno));
	fd = open_in_root(rootfd, zpath);
	close(rootfd);
	if (fd < 0)
		return errno == ENOENT ? ZBE_OK : path_error(h, zpath, errno);
	id = mount_root_id(fd);
	close(fd);
	if (id == 0)
		return ZBE_OK;
	if ((m = zbe_mounts_read()) == NULL)
		return zbe_fail(h, ZBE_EIO, "/proc/self/mountinfo", "cannot read the mount table");
	const char *src = zbe_mounts_source_by_id(m, id);
	if (src != NULL && (*out = strdup(src)) == NULL) {
		zbe_mounts_free(m);
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	zbe_mounts_free(m);
	return ZBE_OK;
}

/*
 * Unmount the mount with this id at zpath: from a descriptor of its parent
 * directory, by its last name, following no symlink.  (A descriptor of
 * the mount itself would keep it busy.)  The zone cannot rename or remove
 * a mount point, so the name still holds it.
 */
static zbe_err_t
unmount_at(zbe_handle_t *h, int rootfd, const char *host, const char *zpath, uint64_t id, bool force,
    bool remove_dir)
{
	target_t t = { .parentfd = -1, .fd = -1 };
	zbe_err_t err;
	int rc = 0, e = 0, cwd;

	if ((err = target_open(h, rootfd, zpath, &t)) != ZBE_OK)
		return err;
	int fd = open_beneath(t.parentfd, t.base);
	if (fd < 0)
		err = path_error(h, zpath, errno);
	else if (mount_root_id(fd) != id)
		err = zbe_fail(h, ZBE_EBUSY, zpath, "the mount there changed; try again");
	if (fd >= 0)
		close(fd);
	if (err == ZBE_OK && h->dry_run) {
		zbe_log(h, ZBE_LOG_PLAN, "umount %s", host);
	} else if (err == ZBE_OK) {
		if ((cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 || fchdir(t.parentfd) != 0) {
			err = zbe_fail(h, ZBE_EIO, zpath, "%s", strerror(errno));
		} else {
			zbe_log(h, ZBE_LOG_TRACE, "umount %s", host);
			rc = umount2(t.base, UMOUNT_NOFOLLOW);
			e = errno;
			if (rc != 0 && e == EBUSY && force) {
				/* -f: take it out of the tree now; it goes when its last user does */
				rc = umount2(t.base, UMOUNT_NOFOLLOW | MNT_DETACH);
				e = errno;
			}
			if (fchdir(cwd) != 0)
				zbe_log(h, ZBE_LOG_WARN, "cannot return to the working directory: %s", strerror(errno));
			if (rc != 0)
				err = e == EBUSY ? zbe_fail(h, ZBE_EBUSY, zpath, "is busy")
						 : zbe_fail(h, ZBE_EIO, zpath, "cannot unmount: %s", strerror(e));
		}
		if (cwd >= 0)
			close(cwd);
	}
	t.made = err == ZBE_OK && remove_dir && !h->dry_run;
	target_close(&t, t.made);
	return err;
}

zbe_err_t
zbe_unmount_confined(zbe_handle_t *h, const zbe_ds_t *be, bool force)
{
	static const char tmp_prefix[] = "/tmp/" ZONE_TMP_PREFIX;
	zbe_mounts_t *m;
	zbe_mount_t *v = NULL;
	zbe_err_t err = ZBE_OK;
	bool root_mounted = false;
	int n, rootfd;

	if ((m = zbe_mounts_read()) == NULL)
		return zbe_fail(h, ZBE_EIO, "/proc/self/mountinfo", "cannot read the mount table");
	if ((n = zbe_mounts_under(m, be->name, &v)) < 0) {
		zbe_mounts_free(m);
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	/* all of it inside the zone, or nothing is done */
	for (int i = 0; i < n && err == ZBE_OK; i++) {
		const char *zv = zone_view(h, v[i].target);
		root_mounted |= strcmp(v[i].source, be->name) == 0;
		if (zv == NULL || strcmp(zv, "/") == 0)
			err = zbe_fail(h, ZBE_EPERM, v[i].source, "is not mounted inside this zone");
	}
	if (err == ZBE_OK && !root_mounted)
		err = zbe_fail(h, ZBE_ENOTMOUNTED, be->name, "is not mounted");
	if (err == ZBE_OK && (rootfd = open(h->confine_root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		err = zbe_fail(h, ZBE_EIO, h->confine_root, "%s", strerror(errno));
	if (err == ZBE_OK) {
		for (int i = 0; i < n && err == ZBE_OK; i++) {
			const char *zv = zone_view(h, v[i].target);
			bool is_root = strcmp(v[i].source, be->name) == 0;
			/* a directory made for the mount in the zone's /tmp goes with it */
			bool tmpdir = is_root && strncmp(zv, tmp_prefix, strlen(tmp_prefix)) == 0 &&
			    strchr(zv + strlen("/tmp/"), '/') == NULL;
			err = unmount_at(h, rootfd, v[i].target, zv, v[i].id, force, tmpdir);
		}
		close(rootfd);
	}
	/* the root was mounted through a temporary mountpoint: legacy again */
	if (err == ZBE_OK && be->mountpoint != NULL && strcmp(be->mountpoint, "legacy") != 0)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", "mountpoint=legacy", be->name, NULL);
	free(v);
	zbe_mounts_free(m);
	return err;
}
