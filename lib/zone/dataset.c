/* The datasets a zone operation reads: the zonepaths' parent. */
#include "zone.h"

#include <stdlib.h>
#include <string.h>

char *
zbe_zone_parent_dataset(zbe_handle_t *h, const char *zpds)
{
	char *parent = strdup(zpds), *slash = parent != NULL ? strrchr(parent, '/') : NULL;

	if (parent == NULL) {
		(void)zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		return NULL;
	}
	if (slash != NULL) /* a zonepath dataset is never a pool's root */
		*slash = '\0';
	return parent;
}
