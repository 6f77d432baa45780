/* zoneadm -z zone attach [-x option]... and zoneadm -z zone move zonepath. */
#include "zoneadm.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
attach_usage(void)
{
	fprintf(stderr, "usage:\tzoneadm -z zone attach [-x attach-last-booted-zbe] [-x destroy-orphan-zbes] "
	    "[-x deny-zbe-clone]\n");
	return 2;
}

int
zoneadm_attach(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	unsigned flags = 0;
	int opt;

	while ((opt = getopt(argc, argv, "x:")) != -1) {
		if (opt != 'x')
			return attach_usage();
		if (strcmp(optarg, "attach-last-booted-zbe") == 0) {
			flags |= ZBE_ATTACH_LAST_BOOTED;
		} else if (strcmp(optarg, "destroy-orphan-zbes") == 0) {
			flags |= ZBE_ATTACH_DESTROY_ORPHANS;
		} else if (strcmp(optarg, "deny-zbe-clone") == 0) {
			/* what attach always does: it re-tags, it never clones */
		} else if (strcmp(optarg, "force-zbe-clone") == 0) {
			fprintf(stderr, "zoneadm: %s: attach -x force-zbe-clone: not supported: attach re-tags the "
			    "zone boot environment it chooses, it never clones one (beadm -z %s create does)\n",
			    zone, zone);
			return 1;
		} else {
			fprintf(stderr, "zoneadm: %s: attach -x %s: unknown option\n", zone, optarg);
			return attach_usage();
		}
	}
	if (optind != argc)
		return attach_usage();
	if (zbe_zone_attach(h, zone, flags) != ZBE_OK) {
		fprintf(stderr, "zoneadm: %s\n", zbe_errmsg(h));
		return 1;
	}
	return 0;
}

int
zoneadm_move(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage:\tzoneadm -z zone move zonepath\n");
		return 2;
	}
	if (zbe_zone_move(h, zone, argv[1]) != ZBE_OK) {
		fprintf(stderr, "zoneadm: %s\n", zbe_errmsg(h));
		return 1;
	}
	return 0;
}
