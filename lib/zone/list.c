/* zoneadm list: every configured zone and its state, one zfs call for all of them. */
#include "zone.h"

#include <stdlib.h>
#include <string.h>

void
zbe_zone_list_free(zbe_zone_info_t *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].name);
		free(v[i].zonepath);
		free(v[i].uuid);
		free(v[i].be_quota);
		free(v[i].init);
		free(v[i].dataset);
		free(v[i].mounted_zbe);
	}
	free(v);
}

zbe_err_t
zbe_zone_list(zbe_handle_t *h, zbe_zone_info_t **out, size_t *nout)
{
	zbe_zone_containers_t z;
	zbe_tree_t t = { 0 };
	zbe_zone_info_t *v = NULL;
	char **names = NULL;
	zbe_err_t err;
	size_t n = 0;
	int id = 0;

	*out = NULL;
	*nout = 0;
	if ((err = zbe_zone_containers(h, &z)) != ZBE_OK)
		return err;
	if (z.nread_roots > 0 &&
	    (err = zbe_drv(h)->read_tree(h, (const char *const *)z.read_roots, z.nread_roots, &t)) != ZBE_OK)
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
		zi->has_id_base = zc.has_id_base;
		zi->id_base = zc.id_base;
		zi->be_quota = zbe_strdup(zc.be_quota);
		zi->caps = zc.caps;
		memcpy(zi->net, zc.net, sizeof(zi->net));
		zi->nnet = zc.nnet;
		if (zbe_zone_dataset(h, &zc, &zi->dataset) != ZBE_OK)
			zi->dataset = NULL;
		zi->state = zbe_zone_state_of(h, &t, zc.name, zi->dataset);
		zi->id = zi->state == ZBE_ZONE_RUNNING ? ++id : -1;
		if (zi->state == ZBE_ZONE_RUNNING || zi->state == ZBE_ZONE_READY) {
			char *root = zbe_asprintf("%s/root", zc.zonepath);
			zi->mounted_zbe = root != NULL ? zbe_mounted_dataset_at(root) : NULL;
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
	zbe_zone_containers_free(&z);
	return err;
}
