/* The state of a BE container as one operation sees it (be_state.c). */
#ifndef ZBE_BE_STATE_H
#define ZBE_BE_STATE_H

#include "zbe_impl.h"

enum {
	ZBE_STATE_BOOTFS = 1 << 0,     /* also read the pool's bootfs (host) */
};

typedef struct zbe_state {
	zbe_tree_t tree;
	const char *container;      /* where the BEs of this scope are */
	const char *host_container; /* where the host BEs are */
	char *host_running;         /* dataset at system_root */
	const char *host_uuid;      /* its uuid, or NULL */
	char *zone_running;         /* zone scope: dataset at <zonepath>/root */
	const char *running;        /* the running BE of this scope */
	char *bootfs;
} zbe_state_t;

/* One tree read of the host container, the zone's (zone scope) and extra. */
zbe_err_t zbe_state_read(zbe_handle_t *h, zbe_state_t *st, unsigned what,
    const char *const *extra, size_t nextra);
void zbe_state_free(zbe_state_t *st);

bool zbe_state_is_be(const zbe_state_t *st, const zbe_ds_t *d);
const zbe_ds_t *zbe_state_be(const zbe_state_t *st, const char *be);
const char *zbe_be_name(const zbe_state_t *st, const zbe_ds_t *d);
const char *zbe_host_be_name(const zbe_state_t *st, const zbe_ds_t *d);
bool zbe_state_running(const zbe_state_t *st, const zbe_ds_t *be);
bool zbe_state_next(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be);
bool zbe_state_foreign(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be);
const zbe_ds_t *zbe_state_host_be_by_uuid(const zbe_state_t *st, const char *uuid);
void zbe_state_range(const zbe_state_t *st, const zbe_ds_t *be, size_t *first, size_t *end);

/* zone scope: the dataset mounted at <zonepath>/root, or NULL (zone_scope.c) */
char *zbe_zone_root_dataset(zbe_handle_t *h);

#endif
