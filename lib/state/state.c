/*
 * The state an operation decides on, read once: the tree of the BE
 * container (and, for zone scope, of the host's, to know the host BEs and
 * their uuids), the running BE and the BE active on reboot.
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

zbe_err_t
zbe_state_read(zbe_handle_t *h, zbe_state_t *st, unsigned what,
    const char *const *extra, size_t nextra)
{
	const char **roots = calloc(nextra + 2, sizeof(*roots));
	size_t nroots = 0;
	zbe_err_t err;

	memset(st, 0, sizeof(*st));
	if (roots == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if ((err = zbe_host_container(h, &st->host_container)) != ZBE_OK) {
		free(roots);
		return err;
	}
	st->container = h->scope == ZBE_SCOPE_ZONE ? h->container : st->host_container;
	roots[nroots++] = st->host_container;
	if (h->scope == ZBE_SCOPE_ZONE)
		roots[nroots++] = h->container;
	for (size_t i = 0; i < nextra; i++)
		roots[nroots++] = extra[i];
	/* a root inside another would be listed twice: keep the outer one */
	for (size_t i = 0; i < nroots; i++) {
		bool inner = false;
		for (size_t j = 0; j < nroots && !inner; j++)
			inner = j != i && roots[j] != NULL && roots[i] != NULL &&
			    zbe_ds_under(roots[i], roots[j]) && (strcmp(roots[i], roots[j]) != 0 || j < i);
		if (inner)
			roots[i] = NULL;
	}
	size_t kept = 0;
	for (size_t i = 0; i < nroots; i++)
		if (roots[i] != NULL)
			roots[kept++] = roots[i];
	nroots = kept;
	err = zbe_drv(h)->read_tree(h, roots, nroots, &st->tree);
	free(roots);
	if (err == ZBE_EZFS && h->scope == ZBE_SCOPE_ZONE && strstr(h->errmsg, "does not exist") != NULL)
		err = zbe_fail(h, ZBE_EZONE, h->zone, "zone is not installed");
	if (err != ZBE_OK) {
		zbe_state_free(st);
		return err;
	}
	st->host_running = zbe_running_host_dataset(h);
	if (st->host_running != NULL && zbe_ds_under(st->host_running, st->host_container) &&
	    strcmp(st->host_running, st->host_container) != 0) {
		const zbe_ds_t *d = zbe_tree_find(&st->tree, st->host_running);
		st->host_uuid = d != NULL ? d->uuid : NULL;
	}
	if (h->scope == ZBE_SCOPE_HOST) {
		st->running = st->host_running;
		if (what & ZBE_STATE_BOOTFS) {
			char *pool = zbe_pool_of(st->container);
			if (pool == NULL)
				err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
			else
				err = zbe_drv(h)->get_bootfs(h, pool, &st->bootfs, &st->altroot);
			free(pool);
		}
	} else {
		st->zone_running = zbe_zone_mounted_zbe(h);
		st->running = st->zone_running;
	}
	if (err != ZBE_OK)
		zbe_state_free(st);
	return err;
}

void
zbe_state_free(zbe_state_t *st)
{
	zbe_tree_free(&st->tree);
	free(st->host_running);
	free(st->zone_running);
	free(st->bootfs);
	free(st->altroot);
	memset(st, 0, sizeof(*st));
}

/* BEs are the filesystems right below the container. */
bool
zbe_state_is_be(const zbe_state_t *st, const zbe_ds_t *d)
{
	size_t n = strlen(st->container);

	return !d->snapshot && strncmp(d->name, st->container, n) == 0 && d->name[n] == '/' &&
	    strchr(d->name + n + 1, '/') == NULL;
}

const zbe_ds_t *
zbe_state_be(const zbe_state_t *st, const char *be)
{
	char name[512];
	const zbe_ds_t *d;

	snprintf(name, sizeof(name), "%s/%s", st->container, be);
	d = zbe_tree_find(&st->tree, name);
	return d != NULL && !d->snapshot ? d : NULL;
}

const char *
zbe_be_name(const zbe_state_t *st, const zbe_ds_t *d)
{
	return d->name + strlen(st->container) + 1;
}

const char *
zbe_host_be_name(const zbe_state_t *st, const zbe_ds_t *d)
{
	return d->name + strlen(st->host_container) + 1;
}

bool
zbe_state_running(const zbe_state_t *st, const zbe_ds_t *be)
{
	return st->running != NULL && strcmp(st->running, be->name) == 0;
}

/* R: host: the pool's bootfs; zone: active for the running host BE. */
bool
zbe_state_next(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be)
{
	if (h->scope == ZBE_SCOPE_HOST)
		return st->bootfs != NULL && strcmp(st->bootfs, be->name) == 0;
	return !zbe_state_foreign(h, st, be) && be->active != NULL && strcmp(be->active, "on") == 0;
}

const char *
zbe_state_revert(const zbe_state_t *st)
{
	const zbe_ds_t *c = st->host_container != NULL ? zbe_tree_find(&st->tree, st->host_container) : NULL;
	const char *slash = st->host_container != NULL ? strrchr(st->host_container, '/') : NULL;

	if (c == NULL || c->revert == NULL)
		return NULL;
	/* set on an outer dataset and inherited: not this container's */
	if (slash != NULL) {
		char parent[512];
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - st->host_container), st->host_container);
		const zbe_ds_t *p = zbe_tree_find(&st->tree, parent);
		if (p != NULL && p->revert != NULL && strcmp(p->revert, c->revert) == 0)
			return NULL;
	}
	return c->revert;
}

bool
zbe_state_once(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be)
{
	const char *revert = zbe_state_revert(st);

	return h->scope == ZBE_SCOPE_HOST && revert != NULL && zbe_state_next(h, st, be) &&
	    strcmp(zbe_host_be_name(st, be), revert) != 0;
}

bool
zbe_state_returns_to(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be)
{
	const char *revert = zbe_state_revert(st);

	return h->scope == ZBE_SCOPE_HOST && revert != NULL && zbe_ds_under(be->name, st->host_container) &&
	    strcmp(be->name, st->host_container) != 0 && strcmp(zbe_host_be_name(st, be), revert) == 0;
}

/* !: a zone BE that belongs to another host BE (or to none). */
bool
zbe_state_foreign(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be)
{
	if (h->scope == ZBE_SCOPE_HOST)
		return false;
	return st->host_uuid == NULL || be->parentbe == NULL || strcmp(be->parentbe, st->host_uuid) != 0;
}

/* The host BE whose uuid is uuid, or NULL. */
const zbe_ds_t *
zbe_state_host_be_by_uuid(const zbe_state_t *st, const char *uuid)
{
	size_t n = strlen(st->host_container);

	if (uuid == NULL)
		return NULL;
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (!d->snapshot && d->uuid != NULL && strcmp(d->uuid, uuid) == 0 &&
		    strncmp(d->name, st->host_container, n) == 0 && d->name[n] == '/' &&
		    strchr(d->name + n + 1, '/') == NULL)
			return d;
	}
	return NULL;
}

/* The entries of the tree under be (itself first), as an index range. */
void
zbe_state_range(const zbe_state_t *st, const zbe_ds_t *be, size_t *first, size_t *end)
{
	size_t i = (size_t)(be - st->tree.ds);

	*first = i;
	while (i < st->tree.n && zbe_ds_under(st->tree.ds[i].name, be->name))
		i++;
	*end = i;
}
