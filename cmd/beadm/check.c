/* beadm check [-r]: report leftovers; -r repairs what is safe (-n: the plan). */
#include "beadm.h"

#include <unistd.h>

int
beadm_check(beadm_ctx_t *c, int argc, char **argv)
{
	bool repair = false;
	zbe_check_t *chk = NULL;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "r")) != -1) {
		if (opt != 'r')
			return beadm_usage("check");
		repair = true;
	}
	if (optind != argc)
		return beadm_usage_error("check", "no arguments expected");
	if (repair && !c->may_mutate)
		return beadm_error("permission denied", "only root in the zone may repair");
	if (zbe_check(c->h, repair, &chk) != ZBE_OK) {
		zbe_check_free(chk);
		return beadm_fail(c);
	}
	for (size_t i = 0; i < chk->n; i++) {
		const zbe_check_item_t *it = &chk->items[i];
		printf("%s\n", it->finding);
		if (it->repaired)
			printf("\t%s: %s\n", c->dry_run ? "would repair" : "repaired", it->repair);
		else if (it->repair != NULL)
			printf("\tbeadm check -r would %s\n", it->repair);
		else
			printf("\tnot repaired by beadm check -r: the administrator decides\n");
		/* clean when nothing is left: a dry run has repaired nothing */
		if (!it->repaired || c->dry_run)
			rc = 1;
	}
	zbe_check_free(chk);
	return rc;
}
