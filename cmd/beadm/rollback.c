/* beadm rollback */
#include "beadm.h"

#include <unistd.h>

int
beadm_rollback(beadm_ctx_t *c, int argc, char **argv)
{
	char *be, *snap;

	if (getopt(argc, argv, "") != -1)
		return beadm_usage_error("rollback", "unknown option");
	if (argc - optind == 1) {
		beadm_split_snap(argv[optind], &be, &snap);
		if (snap == NULL)
			return beadm_usage_error("rollback", "expected beName@snapshot or beName snapshot");
	} else if (argc - optind == 2) {
		be = argv[optind];
		snap = argv[optind + 1];
	} else {
		return beadm_usage_error("rollback", "expected beName@snapshot or beName snapshot");
	}
	return zbe_rollback(c->h, be, snap) == ZBE_OK ? 0 : beadm_fail(c);
}
