/*
 * Reading the journal of an interrupted operation (be/journal.c writes
 * it): "<opid> <kind> <be> [<arg>]" on a BE container.  What it makes
 * incomplete: for create, everything tagged with its opid; for destroy
 * and rollback, the BE it names (and, destroy, the zones' BEs of that
 * BE's uuid).  Activate and rename leave whole BEs: they are finished.
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if (d->pending != NULL)
		return true; /* beadm run has not finished its update */
	if (makes_incomplete(st, st->host_container, d))
		return true;
	return st->container != st->host_container && makes_incomplete(st, st->container, d);
}

/* ---- beadm run's mark: which beadm, this boot ---- */

static bool
read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok = f != NULL && fgets(buf, (int)len, f) != NULL;

	if (f != NULL)
		fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* Field 22 of /proc/PID/stat: the start time, in clock ticks after boot. */
static bool
start_time(long pid, unsigned long long *out)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!read_line(path, buf, sizeof(buf)))
		return false;
	const char *p = strrchr(buf, ')'); /* the name may hold spaces */
	if (p == NULL)
		return false;
	for (int field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	return p != NULL && sscanf(p + 1, "%llu", out) == 1;
}

char *
zbe_pending_value(void)
{
	char boot[64];
	unsigned long long st;

	if (!read_line("/proc/sys/kernel/random/boot_id", boot, sizeof(boot)) ||
	    !start_time((long)getpid(), &st))
		return NULL;
	return zbe_asprintf("run %s %ld %llu", boot, (long)getpid(), st);
}

bool
zbe_pending_alive(const char *pending)
{
	char boot[64], now[64];
	long pid;
	unsigned long long st, cur;

	if (pending == NULL || sscanf(pending, "run %63s %ld %llu", boot, &pid, &st) != 3 || pid <= 0)
		return false;
	return read_line("/proc/sys/kernel/random/boot_id", now, sizeof(now)) && strcmp(now, boot) == 0 &&
	    start_time(pid, &cur) && cur == st;
}

bool
zbe_pending_mine(const char *pending)
{
	char *me = zbe_pending_value();
	bool mine = me != NULL && pending != NULL && strcmp(me, pending) == 0;

	free(me);
	return mine;
}
