/*
 * A destroy plan as channel programs (OpenZFS): one "zfs program" per pool
 * the plan touches, running zfs/destroy.zcp with the plan's steps, so that
 * promotions and destroys land in one transaction group, all or nothing.
 * The program's text is built into the library (zfs/program.c writes it).
 */
#include "be.h"
#include "destroy_zcp.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* The program's answer: {"return": {"error": ..., "done": N}} on failure. */
static zbe_err_t
read_result(zbe_handle_t *h, const char *pool, const char *out)
{
	json_object *root = out != NULL ? json_tokener_parse(out) : NULL, *ret = NULL, *e = NULL, *d = NULL;
	zbe_err_t err = ZBE_OK;

	if (root == NULL || !json_object_object_get_ex(root, "return", &ret))
		err = zbe_fail(h, ZBE_EZFS, "destroy", "the channel program on %s gave no result", pool);
	else if (json_object_object_get_ex(ret, "error", &e)) {
		int done = json_object_object_get_ex(ret, "done", &d) ? json_object_get_int(d) : 0;
		if (done > 0)
			err = zbe_fail(h, ZBE_EZFS, "destroy", "%s, after %d were destroyed; "
			    "destroy it again once nothing uses it", json_object_get_string(e), done);
		else
			err = zbe_fail(h, ZBE_EZFS, "destroy", "%s; nothing was changed", json_object_get_string(e));
	}
	json_object_put(root);
	return err;
}

zbe_err_t
zbe_destroy_program(zbe_handle_t *h, const zbe_destroy_plan_t *plan)
{
	bool *done = calloc(plan->n, sizeof(*done));
	char *path = NULL;
	zbe_err_t err;

	if (done == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	err = zbe_program_file(h, "destroy.zcp", zbe_destroy_zcp, &path);
	/* one program per pool, its steps in the plan's order */
	for (size_t i = 0; i < plan->n && err == ZBE_OK; i++) {
		if (done[i])
			continue;
		char *pool = zbe_pool_of(plan->steps[i].target), *out = NULL;
		zbe_argv_t a = { 0 };
		zbe_program_argv(h, &a, pool, path);
		for (size_t k = i; k < plan->n; k++) {
			char *kp = zbe_pool_of(plan->steps[k].target);
			if (pool != NULL && kp != NULL && strcmp(kp, pool) == 0) {
				zbe_argv_addf(&a, "%s:%s", plan->steps[k].promote ? "promote" : "destroy",
				    plan->steps[k].target);
				done[k] = true;
			}
			free(kp);
		}
		if ((err = zbe_run_argv(h, ZBE_CMD_MUTATE, &a, &out)) == ZBE_OK && !h->dry_run)
			err = read_result(h, pool, out);
		free(out);
		free(pool);
	}
	free(path);
	free(done);
	return err;
}
