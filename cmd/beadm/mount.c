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
	return zbe_unmount(c->h, argv[optind], force) == ZBE_OK ? 0 : beadm_fail(c);
}
