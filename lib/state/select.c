/*
 * Which ZBE: a zone boots the one ZBE that belongs to the running host BE
 * (parentbe = its uuid) and is on (active=on); none or several, and it
 * does not boot (the seed's rule).
 */
#include "state.h"

#include <string.h>

const zbe_ds_t *
zbe_zbe_of(const zbe_state_t *st, const char *container, const char *uuid, bool need_active,
    size_t *count)
{
	size_t cl = strlen(container);
	const zbe_ds_t *found = NULL;

	*count = 0;
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (d->snapshot || strncmp(d->name, container, cl) != 0 || d->name[cl] != '/' ||
		    strchr(d->name + cl + 1, '/') != NULL)
			continue;
		if (d->parentbe == NULL || uuid == NULL || strcmp(d->parentbe, uuid) != 0)
			continue;
		if (need_active && (d->active == NULL || strcmp(d->active, "on") != 0))
			continue;
		found = d;
		(*count)++;
	}
	return found;
}

const zbe_ds_t *
zbe_zone_next_be(zbe_handle_t *h, const zbe_state_t *st)
{
	const zbe_ds_t *found = NULL;

	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (zbe_state_is_be(st, d) && zbe_state_next(h, st, d)) {
			if (found != NULL)
				return NULL;
			found = d;
		}
	}
	return found;
}

zbe_err_t
zbe_zone_select(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t **out)
{
	char names[512] = "", all[512] = "";
	size_t n = 0;

	*out = NULL;
	if (st->host_uuid == NULL)
		return zbe_fail(h, ZBE_ENOROOT, h->zone, "the running host boot environment has no uuid");
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		/* half-made by an interrupted operation: never booted */
		if (!zbe_state_is_be(st, d) || zbe_state_foreign(h, st, d) || zbe_state_incomplete(st, d))
			continue;
		size_t l = strlen(all);
		snprintf(all + l, sizeof(all) - l, "%s%s", l ? ", " : "", zbe_be_name(st, d));
		if (!zbe_state_next(h, st, d))
			continue;
		l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "", zbe_be_name(st, d));
		*out = d;
		n++;
	}
	if (n == 1)
		return ZBE_OK;
	*out = NULL;
	if (n == 0)
		return zbe_fail(h, ZBE_ESELECT, h->zone,
		    "no active zone boot environment for the running host boot environment "
		    "(candidates: %s); fix with: beadm -z %s activate <ZBE>", *all ? all : "none", h->zone);
	return zbe_fail(h, ZBE_ESELECT, h->zone,
	    "%zu active zone boot environments for the running host boot environment (%s); "
	    "fix with: beadm -z %s activate <ZBE>", n, names, h->zone);
}
