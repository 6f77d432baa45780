/* beadm mount, beadm unmount (umount) */
#include "beadm.h"

#include <stdlib.h>
#include <unistd.h>

int
beadm_mount(beadm_ctx_t *c, int argc, char **argv)
{
	char *where = NULL;

	if (getopt(argc, argv, "") != -1)
		return beadm_usage_error("mount", "unknown option");
	if (argc - optind < 1 || argc - optind > 2)
		return beadm_usage_error("mount", "expected beName [mountpoint]");
	const char *mp = argc - optind == 2 ? argv[optind + 1] : NULL;
	/* inside a zone the library takes the zone's own path (or makes one in its /tmp) */
	if (c->zone_root_dir != NULL && mp != NULL && !beadm_zone_path_ok(mp))
		return 1;
	if (zbe_mount(c->h, argv[optind], mp, &where) != ZBE_OK)
		return beadm_fail(c);
	if (mp == NULL && where != NULL)
		printf("%s\n", where);
	free(where);
	return 0;
}

int
beadm_unmount(beadm_ctx_t *c, int argc, char **argv)
{
	bool force = false;
	int opt;

	while ((opt = getopt(argc, argv, "f")) != -1) {
		if (opt != 'f')
			return beadm_usage_error("unmount", "unknown option");
		force = true;
	}
	if (argc - optind != 1)
		return beadm_usage_error("unmount", "expected beName or mountpoint");
	const char *what = argv[optind];
	if (c->zone_root_dir != NULL && what[0] == '/' && !beadm_zone_path_ok(what))
		return 1;
	return zbe_unmount(c->h, what, force) == ZBE_OK ? 0 : beadm_fail(c);
}
