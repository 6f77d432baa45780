/* beadm -z Z run: the command in a mounted BE of the zone, as the zone (runtime/sandbox.c). */
#include "zone.h"

zbe_err_t
zbe_zone_spawn(zbe_handle_t *h, const char *zone, const char *root, char *const argv[], pid_t *pid)
{
	zbe_zone_conf_t zc;
	zbe_err_t err;

	*pid = -1;
	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	/* a zone of an earlier version, without ids of its own, would run it as host root: refused as at boot */
	if (!zc.has_id_base)
		err = zbe_zone_check_ids(h, &zc);
	if (err == ZBE_OK) {
		zbe_sandbox_t s = { .root = root, .hostname = zone, .id_base = zc.id_base };
		err = zbe_sandbox_spawn(h, &s, argv, pid);
	}
	zbe_zone_conf_free(&zc);
	return err;
}
