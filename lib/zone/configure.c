/* zonecfg: creating, changing and deleting a zone's configuration file. */
#include "zone.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The directory above the zonepath must be a ZFS mount point. */
static zbe_err_t
check_zonepath(zbe_handle_t *h, const zbe_zone_conf_t *zc)
{
	char *zpds = NULL;
	zbe_err_t err = zbe_zone_dataset(h, zc, &zpds);

	free(zpds);
	return err;
}

zbe_err_t
zbe_zone_configure(zbe_handle_t *h, const char *zone, const char *const *kv, bool create)
{
	zbe_zone_conf_t zc = { 0 };
	zbe_err_t err;

	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	err = zbe_zone_conf_read(h, zone, &zc);
	if (create && err == ZBE_OK) {
		err = zbe_fail(h, ZBE_EEXIST, zone, "zone already configured");
		goto out;
	}
	if (create && err == ZBE_ENOENT) {
		char uuid[37];
		zbe_clear_error(h);
		zbe_new_uuid(uuid);
		memset(&zc, 0, sizeof(zc));
		zc.name = strdup(zone);
		zc.uuid = strdup(uuid);
		zc.init = strdup("/sbin/init");
		err = zc.name == NULL || zc.uuid == NULL || zc.init == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : ZBE_OK;
	}
	if (err != ZBE_OK)
		goto out;
	char *old_zonepath = zbe_strdup(zc.zonepath);
	for (size_t i = 0; kv != NULL && kv[i] != NULL && err == ZBE_OK; i++)
		err = zbe_zone_conf_set(h, &zc, kv[i]);
	if (err == ZBE_OK && zc.zonepath == NULL)
		err = zbe_fail(h, ZBE_EINVAL, zone, "zonepath is required (-p zonepath=/path)");
	if (err == ZBE_OK && !create && old_zonepath != NULL && strcmp(old_zonepath, zc.zonepath) != 0) {
		/* moving an installed zone would orphan its datasets */
		zbe_zone_info_t *v;
		size_t n;
		if ((err = zbe_zone_list(h, &v, &n)) == ZBE_OK) {
			for (size_t i = 0; i < n; i++)
				if (strcmp(v[i].name, zone) == 0 && v[i].state != ZBE_ZONE_CONFIGURED)
					err = zbe_fail(h, ZBE_EBUSY, zone,
					    "zone is %s; uninstall it before changing zonepath",
					    zbe_zone_state_name(v[i].state));
			zbe_zone_list_free(v, n);
		}
	}
	free(old_zonepath);
	if (err == ZBE_OK)
		err = check_zonepath(h, &zc);
	if (err == ZBE_OK)
		err = zbe_zone_conf_write(h, &zc);
out:
	zbe_zone_conf_free(&zc);
	zbe_unlock(h);
	return err;
}

zbe_err_t
zbe_zone_unconfigure(zbe_handle_t *h, const char *zone)
{
	zbe_zone_info_t *v = NULL;
	size_t n = 0;
	zbe_err_t err;
	bool found = false;

	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	if ((err = zbe_zone_list(h, &v, &n)) != ZBE_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, zone) != 0)
			continue;
		found = true;
		if (v[i].state != ZBE_ZONE_CONFIGURED)
			err = zbe_fail(h, ZBE_EBUSY, zone, "zone is %s; uninstall it first",
			    zbe_zone_state_name(v[i].state));
	}
	if (err == ZBE_OK && !found)
		err = zbe_fail(h, ZBE_ENOENT, zone, "no such zone configured");
	if (err == ZBE_OK) {
		char *path = zbe_zone_conf_path(h, zone);
		if (path == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		else if (unlink(path) != 0)
			err = zbe_fail(h, ZBE_EIO, path, "%s", strerror(errno));
		free(path);
	}
out:
	zbe_zone_list_free(v, n);
	zbe_unlock(h);
	return err;
}
