/* Switching a handle to one zone's BEs: <zpds>/rpool. */
#include "state.h"

#include <stdlib.h>
#include <string.h>

zbe_err_t
zbe_scope_zone(zbe_handle_t *h, const char *zone, zbe_policy_t policy)
{
	zbe_zone_conf_t zc;
	char *zpds = NULL;
	zbe_err_t err;

	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	if ((err = zbe_zone_dataset(h, &zc, &zpds)) == ZBE_OK) {
		free(h->container);
		free(h->zone);
		free(h->zonepath);
		h->container = zbe_asprintf("%s/rpool", zpds);
		h->zone = strdup(zone);
		h->zonepath = strdup(zc.zonepath);
		if (h->container == NULL || h->zone == NULL || h->zonepath == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		h->scope = ZBE_SCOPE_ZONE;
		h->policy = policy;
		h->be_ops_deny = zc.be_ops_deny;
		free(h->confine_root);
		h->confine_root = NULL;
		/* the zone's own requests name paths as the zone sees them */
		if (policy == ZBE_POLICY_ZONE &&
		    (h->confine_root = zbe_asprintf("%s/root", zc.zonepath)) == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	free(zpds);
	zbe_zone_conf_free(&zc);
	return err;
}

zbe_err_t
zbe_zone_admin_scope(zbe_handle_t *h, const char *zone)
{
	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	return zbe_scope_zone(h, zone, ZBE_POLICY_ADMIN);
}

char *
zbe_zone_mounted_zbe(zbe_handle_t *h)
{
	char *root = zbe_asprintf("%s/root", h->zonepath);
	char *ds = root != NULL ? zbe_mounted_dataset_at(root) : NULL;

	free(root);
	return ds;
}
