/* beadm create */
#include "beadm.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
beadm_create(beadm_ctx_t *c, int argc, char **argv)
{
	zbe_create_opts_t o = { 0 };
	const char **props = calloc((size_t)argc + 1, sizeof(*props));
	size_t nprops = 0;
	int opt, rc;

	if (props == NULL)
		return beadm_error("create", "out of memory");
	while ((opt = getopt(argc, argv, ":ad:e:o:")) != -1) {
		switch (opt) {
		case 'a':
			o.activate = true;
			break;
		case 'd':
			o.description = optarg;
			break;
		case 'e':
			o.source = optarg;
			break;
		case 'o':
			props[nprops++] = optarg;
			break;
		case ':':
			free(props);
			return beadm_usage_error("create", "option requires an argument");
		default:
			free(props);
			return beadm_usage_error("create", "unknown option");
		}
	}
	if (optind != argc - 1) {
		free(props);
		return beadm_usage_error("create", optind >= argc ? "missing beName" : "too many arguments");
	}
	char *name = argv[optind], *be, *snap;
	o.props = props;
	beadm_split_snap(name, &be, &snap);
	if (snap != NULL) {
		if (o.activate || o.description || o.source || nprops) {
			free(props);
			return beadm_usage_error("create", "beName@snapshot takes no options");
		}
		rc = zbe_snapshot(c->h, be, snap) == ZBE_OK ? 0 : beadm_fail(c);
	} else {
		o.name = be;
		rc = zbe_create(c->h, &o) == ZBE_OK ? 0 : beadm_fail(c);
	}
	free(props);
	return rc;
}
