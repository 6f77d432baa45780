/*
 * Reading the journal of an interrupted operation (be/journal.c writes
 * it): "<opid> <kind> <be> [<arg>]" on a BE container.  What it makes
 * incomplete: for create, everything tagged with its opid; for destroy
 * and rollback, the BE it names (and, destroy, the zones' BEs of that
 * BE's uuid).  Activate and rename leave whole BEs: they are finished.
 */
#include "state.h"

#include <stdio.h>
#include <string.h>

bool
zbe_state_journal(const zbe_state_t *st, const char *container, zbe_journal_t *j)
{
	const zbe_ds_t *d = container != NULL ? zbe_tree_find(&st->tree, container) : NULL;

	memset(j, 0, sizeof(*j));
	if (d == NULL || d->journal == NULL)
		return false;
	/* set on an outer dataset and inherited: not this container's */
	const char *slash = strrchr(container, '/');
	if (slash != NULL) {
		char parent[512];
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - container), container);
		const zbe_ds_t *p = zbe_tree_find(&st->tree, parent);
		if (p != NULL && p->journal != NULL && strcmp(p->journal, d->journal) == 0)
			return false;
	}
	j->container = container;
	if (sscanf(d->journal, "%39s %15s %255s %255[^\n]", j->opid, j->kind, j->be, j->arg) < 3)
		snprintf(j->kind, sizeof(j->kind), "?"); /* not ours to read: check reports it */
	return true;
}

static bool
makes_incomplete(const zbe_state_t *st, const char *container, const zbe_ds_t *d)
{
	zbe_journal_t j;
	char named[512];

	if (!zbe_state_journal(st, container, &j))
		return false;
	if (strcmp(j.kind, ZBE_JOURNAL_CREATE) == 0)
		return d->op != NULL && strcmp(d->op, j.opid) == 0;
	if (strcmp(j.kind, ZBE_JOURNAL_DESTROY) != 0 && strcmp(j.kind, ZBE_JOURNAL_ROLLBACK) != 0)
		return false;
	snprintf(named, sizeof(named), "%s/%s", j.container, j.be);
	if (zbe_ds_under(d->name, named))
		return true;
	/* destroy: "<uuid> <flags>": the zones' BEs of that host BE go too */
	char uuid[64] = "";
	return strcmp(j.kind, ZBE_JOURNAL_DESTROY) == 0 && sscanf(j.arg, "%63s", uuid) == 1 &&
	    strcmp(uuid, "-") != 0 && d->parentbe != NULL && strcmp(d->parentbe, uuid) == 0;
}

bool
zbe_state_incomplete(const zbe_state_t *st, const zbe_ds_t *d)
{
	if (d->snapshot)
		return false;
	if (makes_incomplete(st, st->host_container, d))
		return true;
	return st->container != st->host_container && makes_incomplete(st, st->container, d);
}
