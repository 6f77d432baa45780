/* beadm rename */
#include "beadm.h"

#include <unistd.h>

int
beadm_rename(beadm_ctx_t *c, int argc, char **argv)
{
	if (getopt(argc, argv, "") != -1)
		return beadm_usage_error("rename", "unknown option");
	if (argc - optind != 2)
		return beadm_usage_error("rename", "expected beName and newBeName");
	return zbe_rename(c->h, argv[optind], argv[optind + 1]) == ZBE_OK ? 0 : beadm_fail(c);
}
