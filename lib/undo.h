/* Undo log for multi-step operations (undo.c). */
#ifndef ZBE_UNDO_H
#define ZBE_UNDO_H

#include "zbe_impl.h"

typedef struct zbe_undo {
	zbe_argv_t *steps;
	size_t n, cap;
	bool oom;
} zbe_undo_t;

/* Take over a (it is emptied). */
void zbe_undo_push(zbe_undo_t *u, zbe_argv_t *a);
/* Push "zfs args..." (NULL-terminated). */
void zbe_undo_zfs(zbe_undo_t *u, zbe_handle_t *h, ...);
/* Run the log backwards, keeping the handle's error. */
void zbe_undo_run(zbe_undo_t *u, zbe_handle_t *h);
/* Forget the log (the operation succeeded). */
void zbe_undo_free(zbe_undo_t *u);

#endif
