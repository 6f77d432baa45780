/*
 * The zones' BE containers: for host operations, which carry the zones
 * along.  Only the zone configuration files and the mount table are read
 * per zone; the ZFS state of every zone comes from the operation's one
 * tree read, of read_roots.
 */
#include "state.h"

#include <stdlib.h>
#include <string.h>

void
zbe_zone_containers_free(zbe_zone_containers_t *z)
{
	zbe_strv_free(z->zones);
	zbe_strv_free(z->containers);
	zbe_strv_free(z->read_roots);
	memset(z, 0, sizeof(*z));
}

/* The <zpds>/rpool of every configured zone whose zonepath is on ZFS. */
zbe_err_t
zbe_zone_containers(zbe_handle_t *h, zbe_zone_containers_t *z)
{
	char **names = NULL;
	zbe_err_t err;

	memset(z, 0, sizeof(*z));
	if ((err = zbe_zone_names(h, &names)) != ZBE_OK)
		return err;
	size_t n = 0;
	while (names[n] != NULL)
		n++;
	z->zones = calloc(n + 1, sizeof(char *));
	z->containers = calloc(n + 1, sizeof(char *));
	z->read_roots = calloc(n + 1, sizeof(char *));
	if (z->zones == NULL || z->containers == NULL || z->read_roots == NULL) {
		zbe_strv_free(names);
		zbe_zone_containers_free(z);
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		zbe_zone_conf_t zc;
		char *zpds = NULL;
		if (zbe_zone_conf_read(h, names[i], &zc) != ZBE_OK)
			continue; /* a broken zone file must not block host operations */
		if (zbe_zone_dataset(h, &zc, &zpds) == ZBE_OK) {
			z->zones[z->n] = strdup(names[i]);
			z->containers[z->n] = zbe_asprintf("%s/rpool", zpds);
			z->n++;
			/* the mounted parent of <zpds> exists even before install */
			*strrchr(zpds, '/') = '\0';
			bool seen = false;
			for (size_t k = 0; k < z->nread_roots; k++)
				seen |= strcmp(z->read_roots[k], zpds) == 0;
			if (!seen)
				z->read_roots[z->nread_roots++] = strdup(zpds);
		}
		free(zpds);
		zbe_zone_conf_free(&zc);
	}
	zbe_clear_error(h);
	zbe_strv_free(names);
	return ZBE_OK;
}
