/* Zone states, zoneadm list, and zonecfg's changes to a zone's file. */
#include "be_ops.h"
#include "zone_conf.h"
#include "zone_lxc.h"
#include "zone_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool
zbe_zone_name_valid(const char *name)
{
	return zbe_name_valid(name) && strchr(name, ':') == NULL && strcmp(name, "global") != 0;
}

const char *
zbe_zone_state_name(zbe_zone_state_t s)
{
	switch (s) {
	case ZBE_ZONE_CONFIGURED:
		return "configured";
	case ZBE_ZONE_INCOMPLETE:
		return "incomplete";
	case ZBE_ZONE_INSTALLED:
		return "installed";
	case ZBE_ZONE_READY:
		return "ready";
	case ZBE_ZONE_RUNNING:
		return "running";
	}
	return "unknown";
}

zbe_zone_state_t
zbe_zone_state_of(zbe_handle_t *h, const zbe_tree_t *t, const char *zone, const char *zpds)
{
	const zbe_ds_t *d = zpds != NULL ? zbe_tree_find(t, zpds) : NULL;
	char rpool[512];

	if (d == NULL)
		return ZBE_ZONE_CONFIGURED;
	if (d->incomplete)
		return ZBE_ZONE_INCOMPLETE;
	snprintf(rpool, sizeof(rpool), "%s/rpool", zpds);
	if (zbe_tree_find(t, rpool) == NULL)
		return ZBE_ZONE_CONFIGURED;
	if (zbe_zone_is_running(h, zone))
		return ZBE_ZONE_RUNNING;
	return zbe_zone_root_mounted(h, zone) ? ZBE_ZONE_READY : ZBE_ZONE_INSTALLED;
}

void
zbe_zone_list_free(zbe_zone_info_t *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].name);
		free(v[i].zonepath);
		free(v[i].uuid);
		free(v[i].init);
		free(v[i].dataset);
		free(v[i].root_be);
	}
	free(v);
}

zbe_err_t
zbe_zone_list(zbe_handle_t *h, zbe_zone_info_t **out, size_t *nout)
{
	zbe_zone_roots_t z;
	zbe_tree_t t = { 0 };
	zbe_zone_info_t *v = NULL;
	char **names = NULL;
	zbe_err_t err;
	size_t n = 0;
	int id = 0;

	*out = NULL;
	*nout = 0;
	if ((err = zbe_zone_roots(h, &z)) != ZBE_OK)
		return err;
	if (z.nparents > 0 &&
	    (err = h->drv->read_tree(h, (const char *const *)z.parents, z.nparents, -1, &t)) != ZBE_OK)
		goto out;
	if ((err = zbe_zone_names(h, &names)) != ZBE_OK)
		goto out;
	while (names[n] != NULL)
		n++;
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		zbe_zone_conf_t zc;
		zbe_zone_info_t *zi = &v[*nout];
		if (zbe_zone_conf_read(h, names[i], &zc) != ZBE_OK) {
			zbe_log(h, ZBE_LOG_WARN, "%s", zbe_errmsg(h));
			continue;
		}
		(*nout)++;
		zi->name = strdup(zc.name);
		zi->zonepath = strdup(zc.zonepath);
		zi->uuid = zbe_strdup(zc.uuid);
		zi->init = zbe_strdup(zc.init);
		zi->autoboot = zc.autoboot;
		zi->be_ops_deny = zc.be_ops_deny;
		if (zbe_zone_dataset(h, &zc, &zi->dataset) != ZBE_OK)
			zi->dataset = NULL;
		zi->state = zbe_zone_state_of(h, &t, zc.name, zi->dataset);
		zi->id = zi->state == ZBE_ZONE_RUNNING ? ++id : -1;
		if (zi->state == ZBE_ZONE_RUNNING || zi->state == ZBE_ZONE_READY) {
			char *root = zbe_asprintf("%s/root", zc.zonepath);
			zi->root_be = root != NULL ? zbe_mounted_dataset_at(root) : NULL;
			free(root);
		}
		zbe_zone_conf_free(&zc);
	}
	zbe_clear_error(h);
	*out = v;
	v = NULL;
out:
	zbe_zone_list_free(v, n);
	zbe_strv_free(names);
	zbe_tree_free(&t);
	zbe_zone_roots_free(&z);
	return err;
}

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
		char *path = zbe_asprintf("%s/%s.conf", h->conf.zones_dir, zone);
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
