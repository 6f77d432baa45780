/*
 * The host side of a zone's user namespace: who owns the zonepath and the
 * zone's files.  The zone's root is host uid id_base, a plain user on the
 * host: the rootfs path must be searchable by it, and its files must be
 * owned by its ids or it could not use them.
 */
#include "zone.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The zonepath is the zone's alone: 0700 and owned by the zone's root, as
 * illumos requires a 0700 zonepath: setuid files and device nodes made
 * in the zone must not be reachable by other host users, while the
 * zone's root must still reach its root below it.
 */
zbe_err_t
zbe_zone_own_zonepath(zbe_handle_t *h, const zbe_zone_conf_t *zc)
{
	int fd = open(zc->zonepath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	zbe_err_t err = ZBE_OK;

	if (fd < 0)
		return zbe_fail(h, ZBE_EZONE, zc->zonepath, "%s", strerror(errno));
	if (fchown(fd, zc->id_base, zc->id_base) < 0 || fchmod(fd, 0700) < 0)
		err = zbe_fail(h, ZBE_EZONE, zc->zonepath, "cannot give it to the zone's root: %s", strerror(errno));
	close(fd);
	return err;
}

/* Every directory above path (those that exist: the rest is made 0755)
 * has the search bit for others. */
static zbe_err_t
searchable_above(zbe_handle_t *h, const zbe_zone_conf_t *zc, const char *path)
{
	struct stat sb;
	char *p = strdup(path);

	if (p == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	for (char *slash = strrchr(p, '/'); slash != NULL; slash = strrchr(p, '/')) {
		*slash = '\0';
		const char *dir = slash == p ? "/" : p;
		if (stat(dir, &sb) == 0 && !(sb.st_mode & S_IXOTH)) {
			zbe_err_t err = zbe_fail(h, ZBE_EZONE, zc->zonepath,
			    "%s is not searchable by the zone's root (uid %u): chmod o+x %s", dir,
			    (unsigned)zc->id_base, dir);
			free(p);
			return err;
		}
		if (slash == p)
			break;
	}
	free(p);
	return ZBE_OK;
}

zbe_err_t
zbe_zone_check_ids(zbe_handle_t *h, const zbe_zone_conf_t *zc)
{
	struct stat sb;
	unsigned base;

	if (!zc->has_id_base)
		return zbe_fail(h, ZBE_ECONFIG, zc->name,
		    "the zone has no id range (configured by an earlier version; it would run as host root): "
		    "zonecfg -z %s set id-base=auto, then chown and chmod its zonepath as boot says", zc->name);
	base = zc->id_base;
	if (lstat(zc->zonepath, &sb) < 0)
		return zbe_fail(h, ZBE_EZONE, zc->zonepath, "%s", strerror(errno));
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != base || sb.st_gid != base || (sb.st_mode & 077) != 0)
		return zbe_fail(h, ZBE_EZONE, zc->zonepath,
		    "zonepath is %s mode %04o owned by %u:%u; it must be a directory of mode 0700 owned by the "
		    "zone's root: chown %u:%u %s && chmod 700 %s", S_ISDIR(sb.st_mode) ? "a directory of" : "not a directory,",
		    (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid, (unsigned)sb.st_gid, base, base,
		    zc->zonepath, zc->zonepath);
	/* lxc mounts the root and the socket directory as the zone's root,
	 * without host privilege: a directory above either that it cannot
	 * search fails deep in lxc's log */
	char *sockdir = zbe_zone_run_file(h, zc->name, ZBE_ZONE_SOCK_LEAF);
	zbe_err_t err = sockdir == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL) : searchable_above(h, zc, zc->zonepath);
	if (err == ZBE_OK)
		err = searchable_above(h, zc, sockdir);
	free(sockdir);
	return err;
}

zbe_err_t
zbe_zone_shift_root(zbe_handle_t *h, const zbe_zone_conf_t *zc, const char *root, bool always)
{
	uint32_t *others = NULL;
	struct stat sb;
	size_t n = 0;

	if (!always && stat(root, &sb) == 0 && sb.st_uid == zc->id_base)
		return ZBE_OK;
	zbe_err_t err = zbe_zone_ids_others(h, zc->name, &others, &n);
	if (err == ZBE_OK)
		err = zbe_image_shift_ids(h, root, zc->id_base, others, n, NULL);
	free(others);
	return err != ZBE_OK ? zbe_error_prepend(h, "%s", zc->name) : ZBE_OK;
}
