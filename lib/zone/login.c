/* zlogin: a command in the running zone. */
#include "zone.h"

#include <stdlib.h>

zbe_err_t
zbe_zone_login(zbe_handle_t *h, const char *zone, char *const argv[], int *status)
{
	char *lxcpath;
	zbe_err_t err;

	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	zbe_zone_conf_t zc;
	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	zbe_zone_conf_free(&zc);
	if (!zbe_zone_is_running(h, zone))
		return zbe_fail(h, ZBE_EZONE, zone, "zone is not running");
	if ((lxcpath = zbe_zone_lxcpath(h)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if ((err = zbe_lxc_attach(h, zone, lxcpath, argv, status)) != ZBE_OK)
		zbe_error_prepend(h, "%s", zone);
	free(lxcpath);
	return err;
}
