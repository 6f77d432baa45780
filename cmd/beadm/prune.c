/* beadm prune: print what retention decided (-n: decides only). */
#include "beadm.h"

#include <stdlib.h>
#include <unistd.h>

static const char *
verdict(const zbe_prune_entry_t *e, bool plan_only)
{
	switch (e->action) {
	case ZBE_PRUNE_DESTROY:
		return plan_only ? "would destroy" : "destroyed";
	case ZBE_PRUNE_FAILED:
		return "failed";
	default:
		return "keep";
	}
}

static const char *
reason(const zbe_prune_entry_t *e)
{
	switch (e->action) {
	case ZBE_PRUNE_KEEP_NEWEST:
		return "one of the newest";
	case ZBE_PRUNE_KEEP_SPACE:
		return "enough free space";
	case ZBE_PRUNE_KEEP_RUNNING:
		return "running";
	case ZBE_PRUNE_KEEP_NEXT:
		return "active on reboot";
	case ZBE_PRUNE_KEEP_ONCE:
		return "activate -t pending";
	case ZBE_PRUNE_KEEP_BACKS:
		return "its snapshot is the origin of";
	default:
		return NULL;
	}
}

int
beadm_prune(beadm_ctx_t *c, int argc, char **argv)
{
	bool plan_only = false;
	zbe_prune_result_t *r;
	int opt;

	while ((opt = getopt(argc, argv, "n")) != -1) {
		if (opt != 'n')
			return beadm_usage_error("prune", "unknown option");
		plan_only = true;
	}
	if (optind != argc)
		return beadm_usage_error("prune", "too many arguments");
	zbe_err_t err = zbe_prune(c->h, plan_only, &r);
	if (r == NULL)
		return beadm_fail(c);
	printf("keep = %u, min_free = %u%%: %u%% free", r->keep, r->min_free, r->free_pct);
	if (r->free_pct_after != r->free_pct)
		printf(", about %u%% after", r->free_pct_after);
	printf("\n");
	for (size_t i = 0; i < r->n; i++) {
		const zbe_prune_entry_t *e = &r->v[i];
		const char *why = reason(e);
		/* beadm -n prune: the destroys only printed their commands */
		printf("%-13s %s", verdict(e, plan_only || c->dry_run), e->name);
		if (why != NULL)
			printf(" (%s%s%s)", why, e->detail != NULL ? " " : "", e->detail != NULL ? e->detail : "");
		printf("\n");
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].action == ZBE_PRUNE_FAILED)
			fprintf(stderr, "beadm: %s\n", r->v[i].detail);
	zbe_prune_result_free(r);
	return err == ZBE_OK ? 0 : 1;
}
