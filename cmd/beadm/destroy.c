/* beadm destroy */
#include "beadm.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Ask on a terminal; anything but y/yes declines. */
static bool
confirm(const char *what)
{
	char answer[16];

	printf("Are you sure you want to destroy %s?\nThis action cannot be undone (y/[n]): ", what);
	fflush(stdout);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return false;
	answer[strcspn(answer, "\n")] = '\0';
	return strcmp(answer, "y") == 0 || strcmp(answer, "Y") == 0 || strcmp(answer, "yes") == 0;
}

int
beadm_destroy(beadm_ctx_t *c, int argc, char **argv)
{
	bool force_unmount = false, no_prompt = false, snapshots = false;
	int opt;

	while ((opt = getopt(argc, argv, "fFs")) != -1) {
		switch (opt) {
		case 'f':
			force_unmount = true;
			break;
		case 'F':
			no_prompt = true;
			break;
		case 's':
			snapshots = true;
			break;
		default:
			return beadm_usage_error("destroy", "unknown option");
		}
	}
	if (optind != argc - 1)
		return beadm_usage_error("destroy", optind >= argc ? "missing beName" : "too many arguments");
	char *arg = argv[optind], *be, *snap;
	char *shown = strdup(arg);
	beadm_split_snap(arg, &be, &snap);
	if (!c->dry_run && !no_prompt && isatty(0) && !confirm(shown != NULL ? shown : be)) {
		free(shown);
		return beadm_error(be, "destroy canceled");
	}
	free(shown);
	zbe_err_t err = snap != NULL ? zbe_destroy_snapshot(c->h, be, snap)
	    : zbe_destroy(c->h, be, (force_unmount ? ZBE_DESTROY_FORCE_UNMOUNT : 0) |
	          (snapshots ? ZBE_DESTROY_SNAPSHOTS : 0));
	return err == ZBE_OK ? 0 : beadm_fail(c);
}
