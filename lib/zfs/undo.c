/*
 * The undo log of a multi-step operation: each step that changed
 * something pushes the command that reverses it; on failure the log runs
 * backwards.  The first error stays the one reported; an undo step that
 * fails too is logged as a warning so nothing is lost silently.
 */
#include "zfs.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void
zbe_undo_push(zbe_undo_t *u, zbe_argv_t *a)
{
	if (u->oom || a->oom) {
		u->oom = true;
		zbe_argv_free(a);
		return;
	}
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 8;
		zbe_argv_t *s = realloc(u->steps, cap * sizeof(*s));
		if (s == NULL) {
			u->oom = true;
			zbe_argv_free(a);
			return;
		}
		u->steps = s;
		u->cap = cap;
	}
	u->steps[u->n++] = *a;
	memset(a, 0, sizeof(*a));
}

void
zbe_undo_zfs(zbe_undo_t *u, zbe_handle_t *h, ...)
{
	zbe_argv_t a = { 0 };
	const char *s;
	va_list ap;

	zbe_argv_add(&a, h->conf.zfs);
	va_start(ap, h);
	while ((s = va_arg(ap, const char *)) != NULL)
		zbe_argv_add(&a, s);
	va_end(ap);
	zbe_undo_push(u, &a);
}

bool
zbe_undo_run(zbe_undo_t *u, zbe_handle_t *h)
{
	zbe_saved_error_t saved;
	bool was_undoing = h->undoing, all = !u->oom;

	zbe_error_save(h, &saved);
	h->undoing = true;
	while (u->n > 0) {
		zbe_argv_t *a = &u->steps[--u->n];
		zbe_err_t err;
		/* zfs-fuse reports a dataset busy for a moment after its unmount */
		for (int tries = 0;; tries++) {
			err = zbe_run(h, ZBE_CMD_MUTATE, (const char *const *)a->v, NULL);
			if (err == ZBE_OK || tries >= 10 || strstr(h->errmsg, "busy") == NULL)
				break;
			nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
		}
		if (err != ZBE_OK) {
			zbe_log(h, ZBE_LOG_WARN, "undo failed: %s", h->errmsg);
			all = false;
		}
		zbe_argv_free(a);
	}
	h->undoing = was_undoing;
	zbe_error_restore(h, &saved);
	return all;
}

void
zbe_undo_free(zbe_undo_t *u)
{
	for (size_t i = 0; i < u->n; i++)
		zbe_argv_free(&u->steps[i]);
	free(u->steps);
	memset(u, 0, sizeof(*u));
}
