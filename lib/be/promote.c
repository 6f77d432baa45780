/*
 * Promotion until nothing of a BE has an origin, so that every older BE
 * can be destroyed without taking this one along.  A promotion hands the
 * clone its origin's origin, so it repeats until none is left.
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>

#define PROMOTE_ROUNDS_MAX 256

/* Datasets of the BE that still have an origin, and the dataset each origin is on. */
static zbe_err_t
cloned_datasets(zbe_handle_t *h, const char *be_ds, zbe_argv_t *names, zbe_argv_t *origins)
{
	char *text = NULL;
	zbe_err_t err = zbe_zfs(h, ZBE_CMD_READ, &text, "get", "-H", "-r", "-o", "name,value",
	    ZBE_PROP_ORIGIN, be_ds, NULL);

	for (char *save = NULL, *l = err == ZBE_OK ? strtok_r(text, "\n", &save) : NULL; l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(l, '\t');
		if (tab == NULL)
			continue;
		*tab = '\0';
		if (strchr(l, '@') != NULL)
			continue;
		char *at = strchr(tab + 1, '@');
		if (strcmp(tab + 1, "-") != 0 && at != NULL) {
			*at = '\0';
			zbe_argv_add(names, l);
			zbe_argv_add(origins, tab + 1);
		}
	}
	free(text);
	return err;
}

/*
 * Each promotion is undone by promoting back the dataset that was the
 * origin's owner (it has become a clone of the promoted one).
 */
zbe_err_t
zbe_promote_fully(zbe_handle_t *h, const char *be_ds, zbe_undo_t *undo)
{
	if (h->dry_run) {
		/* the BE may not exist yet: nothing to read, say what would run */
		zbe_log(h, ZBE_LOG_PLAN, "%s promote %s (and each child, until none has an origin)",
		    h->conf.zfs, be_ds);
		return ZBE_OK;
	}
	/* A promotion hands the clone its origin's origin: repeat until none. */
	for (int round = 0; round < PROMOTE_ROUNDS_MAX; round++) {
		zbe_argv_t names = { 0 }, origins = { 0 };
		zbe_err_t err = cloned_datasets(h, be_ds, &names, &origins);
		if (err == ZBE_OK && (names.oom || origins.oom))
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		for (size_t i = 0; err == ZBE_OK && i < names.n; i++) {
			err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "promote", names.v[i], NULL);
			if (err == ZBE_OK && undo != NULL)
				zbe_undo_zfs(undo, h, "promote", origins.v[i], NULL);
		}
		bool done = names.n == 0;
		zbe_argv_free(&names);
		zbe_argv_free(&origins);
		if (err != ZBE_OK || done)
			return err;
	}
	return zbe_fail(h, ZBE_EZFS, be_ds, "still a clone after %d promotions", PROMOTE_ROUNDS_MAX);
}
