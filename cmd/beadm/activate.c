/* beadm activate */
#include "beadm.h"

#include <unistd.h>

int
beadm_activate(beadm_ctx_t *c, int argc, char **argv)
{
	if (getopt(argc, argv, "") != -1)
		return beadm_usage_error("activate", "unknown option");
	if (optind != argc - 1)
		return beadm_usage_error("activate", optind >= argc ? "missing beName" : "too many arguments");
	return zbe_activate(c->h, argv[optind]) == ZBE_OK ? 0 : beadm_fail(c);
}
