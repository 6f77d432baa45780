/* Whether a zone runs, its state, and where its run-time files are. */
#include "state.h"

#include <stdlib.h>
#include <string.h>

char *
zbe_zone_lxcpath(zbe_handle_t *h)
{
	return zbe_asprintf("%s/lxc", h->conf.run_dir);
}

char *
zbe_zone_run_file(zbe_handle_t *h, const char *zone, const char *leaf)
{
	return zbe_asprintf("%s/zones/%s/%s", h->conf.run_dir, zone, leaf);
}

bool
zbe_zone_is_running(zbe_handle_t *h, const char *zone)
{
	char *lxcpath = zbe_zone_lxcpath(h);
	bool r = lxcpath != NULL && zbe_lxc_is_running(zone, lxcpath);

	free(lxcpath);
	return r;
}

bool
zbe_zone_root_mounted(zbe_handle_t *h, const char *zone)
{
	zbe_zone_conf_t zc;
	bool r;

	if (zbe_zone_conf_read(h, zone, &zc) != ZBE_OK)
		return false;
	char *root = zbe_asprintf("%s/root", zc.zonepath);
	char *ds = root != NULL ? zbe_mounted_dataset_at(root) : NULL;
	r = ds != NULL;
	free(ds);
	free(root);
	zbe_zone_conf_free(&zc);
	return r;
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
	/* illumos: a detached zone is configured, its datasets kept */
	if (d->detached)
		return ZBE_ZONE_CONFIGURED;
	snprintf(rpool, sizeof(rpool), "%s/rpool", zpds);
	if (zbe_tree_find(t, rpool) == NULL)
		return ZBE_ZONE_CONFIGURED;
	if (zbe_zone_is_running(h, zone))
		return ZBE_ZONE_RUNNING;
	return zbe_zone_root_mounted(h, zone) ? ZBE_ZONE_READY : ZBE_ZONE_INSTALLED;
}
