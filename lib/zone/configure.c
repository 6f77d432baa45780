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

/*
 * The zone's id range: allocated at create (and by "id-base=auto" for a
 * zone made before zones had one), checked when given.  An installed
 * zone's files are owned by its range, so a range it has is kept.
 */
static zbe_err_t
settle_ids(zbe_handle_t *h, zbe_zone_conf_t *zc, bool had, uint32_t old, bool installed, bool create)
{
	if (had && installed && !zc->id_base_auto && zc->id_base != old)
		return zbe_fail(h, ZBE_EBUSY, zc->name,
		    "the zone's files are owned by its ids %u-%u; uninstall it before changing id-base",
		    (unsigned)old, (unsigned)(old + ZBE_ZONE_IDS - 1));
	if (had && zc->id_base_auto) { /* auto on a zone that has a range: keep it */
		zc->has_id_base = true;
		zc->id_base = old;
		return ZBE_OK;
	}
	if (!create && !had && !zc->has_id_base && !zc->id_base_auto)
		return ZBE_OK; /* a zone of an earlier version: converted only on request */
	if (zc->id_base_auto || !zc->has_id_base) {
		zbe_err_t err = zbe_zone_ids_alloc(h, zc->name, &zc->id_base);
		zc->has_id_base = err == ZBE_OK;
		return err;
	}
	return had && zc->id_base == old ? ZBE_OK : zbe_zone_ids_check(h, zc->name, zc->id_base);
}

/* be-quota: on <zpds>/rpool at once when the zone is installed (install
 * sets it otherwise); before the file is written, so a refused size
 * changes nothing. */
static zbe_err_t
apply_quota(zbe_handle_t *h, const zbe_zone_conf_t *zc, const char *old, const char *zpds)
{
	const char *want = zc->be_quota != NULL ? zc->be_quota : "none";

	if (strcmp(want, old != NULL ? old : "none") == 0)
		return ZBE_OK;
	char *rpool = zbe_asprintf("%s/rpool", zpds), *pv = zbe_asprintf("%s=%s", ZBE_PROP_QUOTA, want);
	zbe_err_t err = rpool == NULL || pv == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
	    : zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", pv, rpool, NULL);
	free(rpool);
	free(pv);
	return err;
}

/* Installed (its datasets exist) and, if so, its <zpds>. */
static zbe_err_t
zone_installed(zbe_handle_t *h, const char *zone, bool *installed, char **zpds)
{
	zbe_zone_info_t *v;
	size_t n;
	zbe_err_t err;

	*installed = false;
	*zpds = NULL;
	if ((err = zbe_zone_list(h, &v, &n)) != ZBE_OK)
		return err;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, zone) == 0 && v[i].state != ZBE_ZONE_CONFIGURED && v[i].dataset != NULL) {
			*installed = true;
			*zpds = strdup(v[i].dataset);
		}
	zbe_zone_list_free(v, n);
	return *installed && *zpds == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL) : ZBE_OK;
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
	char *old_zonepath = zbe_strdup(zc.zonepath), *old_quota = zbe_strdup(zc.be_quota), *zpds = NULL;
	bool had_ids = zc.has_id_base, installed = false;
	uint32_t old_base = zc.id_base;
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
	if (err == ZBE_OK && !create)
		err = zone_installed(h, zone, &installed, &zpds);
	if (err == ZBE_OK)
		err = settle_ids(h, &zc, had_ids, old_base, installed, create);
	if (err == ZBE_OK && installed)
		err = apply_quota(h, &zc, old_quota, zpds);
	if (err == ZBE_OK)
		err = zbe_zone_conf_write(h, &zc);
	free(old_quota);
	free(zpds);
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
