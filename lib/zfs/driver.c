/* Which driver a handle uses: the one named by h->driver_name. */
#include "zfs.h"

#include <string.h>

static const zbe_driver_t *const drivers[] = { &zbe_driver_openzfs, &zbe_driver_fuse };

const zbe_driver_t *
zbe_drv(zbe_handle_t *h)
{
	if (h->drv != NULL)
		return h->drv;
	h->drv = &zbe_driver_fuse;
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (h->driver_name != NULL && strcmp(drivers[i]->name, h->driver_name) == 0)
			h->drv = drivers[i];
	return h->drv;
}
