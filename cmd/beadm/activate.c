/* beadm activate [-t] */
#include "beadm.h"

#include <stdbool.h>
#include <unistd.h>

int
beadm_activate(beadm_ctx_t *c, int argc, char **argv)
{
	bool once = false;
	int opt;

	while ((opt = getopt(argc, argv, "t")) != -1) {
		if (opt != 't')
			return beadm_usage_error("activate", "unknown option");
		once = true;
	}
	if (optind != argc - 1)
		return beadm_usage_error("activate", optind >= argc ? "missing beName" : "too many arguments");
	zbe_err_t err = once ? zbe_activate_once(c->h, argv[optind]) : zbe_activate(c->h, argv[optind]);
	return err == ZBE_OK ? 0 : beadm_fail(c);
}
