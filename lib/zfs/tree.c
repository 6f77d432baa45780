/*
 * The tree: what one "zfs get -r" (or "zfs list") call says about a set of
 * datasets and snapshots.  Entries are kept sorted so that a dataset is
 * followed by all its descendants and snapshots, and snapshots of one
 * dataset stay in creation order; lookups are binary searches.
 */
#include "zfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const zbe_tree_props[] = {
	ZBE_PROP_TYPE, ZBE_PROP_USED, ZBE_PROP_CREATION, ZBE_PROP_ORIGIN,
	ZBE_PROP_MOUNTPOINT, ZBE_PROP_CANMOUNT, ZBE_PROP_UUID, ZBE_PROP_PARENTBE,
	ZBE_PROP_ACTIVE, ZBE_PROP_DESCRIPTION, ZBE_PROP_AUTO, ZBE_PROP_ZONESTATE, ZBE_PROP_DEFER_DESTROY,
	ZBE_PROP_POLICY, ZBE_PROP_APT_TXN, ZBE_PROP_CREATETXG, ZBE_PROP_JOURNAL, ZBE_PROP_OP,
	ZBE_PROP_PENDING, ZBE_PROP_CLONE_SNAP, ZBE_PROP_LAST_BOOTED, ZBE_PROP_MOVE, ZBE_PROP_NEXTBOOT_REVERT, NULL
};

/* '/' and '@' sort before every other name character. */
static int
rank(unsigned char c)
{
	return c == '/' ? 1 : c == '@' ? 2 : c + 3;
}

static int
name_cmp(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	if (*a == '\0' || *b == '\0')
		return (unsigned char)*a - (unsigned char)*b;
	return rank((unsigned char)*a) - rank((unsigned char)*b);
}

static int
ds_cmp(const void *pa, const void *pb)
{
	const zbe_ds_t *a = pa, *b = pb;
	const char *sa = strchr(a->name, '@'), *sb = strchr(b->name, '@');

	if (sa != NULL && sb != NULL && sa - a->name == sb - b->name &&
	    strncmp(a->name, b->name, (size_t)(sa - a->name)) == 0)
		return a->order < b->order ? -1 : a->order > b->order;
	return name_cmp(a->name, b->name);
}

static void
tree_sort(zbe_tree_t *t)
{
	/* an empty tree has no array, and qsort's must not be NULL */
	if (t->n > 1)
		qsort(t->ds, t->n, sizeof(*t->ds), ds_cmp);
}

zbe_ds_t *
zbe_tree_find(const zbe_tree_t *t, const char *name)
{
	const char *at = strchr(name, '@');

	/* snapshots of one dataset sort by order, so search the run linearly */
	if (at != NULL) {
		for (size_t i = 0; i < t->n; i++)
			if (strcmp(t->ds[i].name, name) == 0)
				return &t->ds[i];
		return NULL;
	}
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(name, t->ds[mid].name);
		if (c == 0)
			return &t->ds[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

zbe_ds_t *
zbe_tree_add(zbe_tree_t *t, const char *name)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		zbe_ds_t *ds = realloc(t->ds, cap * sizeof(*ds));
		if (ds == NULL)
			return NULL;
		t->ds = ds;
		t->cap = cap;
	}
	zbe_ds_t *d = &t->ds[t->n];
	memset(d, 0, sizeof(*d));
	if ((d->name = strdup(name)) == NULL)
		return NULL;
	d->snapshot = strchr(name, '@') != NULL;
	d->order = (unsigned)t->n;
	t->n++;
	return d;
}

static void
ds_free(zbe_ds_t *d)
{
	free(d->name);
	free(d->origin);
	free(d->mountpoint);
	free(d->canmount);
	free(d->uuid);
	free(d->parentbe);
	free(d->active);
	free(d->description);
	free(d->journal);
	free(d->op);
	free(d->pending);
	free(d->revert);
	free(d->apt_txn);
	free(d->clone_snap);
	free(d->last_booted);
	free(d->move_to);
}

void
zbe_tree_free(zbe_tree_t *t)
{
	for (size_t i = 0; i < t->n; i++)
		ds_free(&t->ds[i]);
	free(t->ds);
	memset(t, 0, sizeof(*t));
}

static zbe_err_t
set_str(char **slot, const char *value)
{
	free(*slot);
	*slot = NULL;
	if (strcmp(value, "-") == 0 || *value == '\0')
		return ZBE_OK;
	*slot = strdup(value);
	return *slot != NULL ? ZBE_OK : ZBE_ENOMEM;
}

static zbe_err_t
set_num(uint64_t *slot, const char *value)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	if (strcmp(value, "-") == 0) {
		*slot = 0;
		return ZBE_OK;
	}
	if (errno != 0 || end == value || *end != '\0')
		return ZBE_EZFS;
	*slot = v;
	return ZBE_OK;
}

zbe_err_t
zbe_tree_set(zbe_ds_t *d, const char *prop, const char *value)
{
	if (strcmp(prop, ZBE_PROP_TYPE) == 0) {
		d->snapshot = strcmp(value, "snapshot") == 0;
		return ZBE_OK;
	}
	if (strcmp(prop, ZBE_PROP_USED) == 0)
		return set_num(&d->used, value);
	if (strcmp(prop, ZBE_PROP_CREATION) == 0) {
		uint64_t v = 0;
		zbe_err_t err = set_num(&v, value);
		if (err == ZBE_OK)
			d->creation = (int64_t)v;
		return err;
	}
	if (strcmp(prop, ZBE_PROP_CREATETXG) == 0)
		return set_num(&d->createtxg, value);
	if (strcmp(prop, ZBE_PROP_ORIGIN) == 0)
		return set_str(&d->origin, value);
	if (strcmp(prop, ZBE_PROP_MOUNTPOINT) == 0)
		return set_str(&d->mountpoint, value);
	if (strcmp(prop, ZBE_PROP_CANMOUNT) == 0)
		return set_str(&d->canmount, value);
	if (strcmp(prop, ZBE_PROP_UUID) == 0)
		return set_str(&d->uuid, value);
	if (strcmp(prop, ZBE_PROP_PARENTBE) == 0)
		return set_str(&d->parentbe, value);
	if (strcmp(prop, ZBE_PROP_ACTIVE) == 0)
		return set_str(&d->active, value);
	if (strcmp(prop, ZBE_PROP_DESCRIPTION) == 0)
		return set_str(&d->description, value);
	if (strcmp(prop, ZBE_PROP_POLICY) == 0) {
		d->policy_auto = strcmp(value, ZBE_POLICY_AUTO) == 0;
		return ZBE_OK;
	}
	if (strcmp(prop, ZBE_PROP_APT_TXN) == 0)
		return set_str(&d->apt_txn, value);
	if (strcmp(prop, ZBE_PROP_CLONE_SNAP) == 0)
		return set_str(&d->clone_snap, value);
	if (strcmp(prop, ZBE_PROP_AUTO) == 0) {
		d->auto_snap = strcmp(value, "on") == 0;
		return ZBE_OK;
	}
	if (strcmp(prop, ZBE_PROP_DEFER_DESTROY) == 0) {
		d->deferred = strcmp(value, "on") == 0;
		return ZBE_OK;
	}
	if (strcmp(prop, ZBE_PROP_JOURNAL) == 0)
		return set_str(&d->journal, value);
	if (strcmp(prop, ZBE_PROP_OP) == 0)
		return set_str(&d->op, value);
	if (strcmp(prop, ZBE_PROP_PENDING) == 0)
		return set_str(&d->pending, value);
	if (strcmp(prop, ZBE_PROP_NEXTBOOT_REVERT) == 0)
		return set_str(&d->revert, value);
	if (strcmp(prop, ZBE_PROP_ZONESTATE) == 0) {
		d->incomplete = strcmp(value, "incomplete") == 0;
		d->detached = strcmp(value, ZBE_ZONESTATE_DETACHED) == 0;
		return ZBE_OK;
	}
	if (strcmp(prop, ZBE_PROP_LAST_BOOTED) == 0)
		return set_str(&d->last_booted, value);
	if (strcmp(prop, ZBE_PROP_MOVE) == 0)
		return set_str(&d->move_to, value);
	return ZBE_OK; /* a property we did not ask for: ignore */
}

/*
 * One "name\tproperty\tvalue\tsource" line of zfs get -Hp.  zfs prints all
 * properties of one dataset together, so the last entry is the one to
 * extend.  Lines arrive while zfs runs: nothing holds the whole output.
 */
zbe_err_t
zbe_tree_get_line(void *arg, char *line)
{
	zbe_tree_t *t = arg;
	zbe_ds_t *cur = t->n > 0 ? &t->ds[t->n - 1] : NULL;
	char *f[4];
	int nf = 0;

	if (*line == '\0')
		return ZBE_OK;
	for (char *s = line, *tab; nf < 4; s = tab + 1) {
		f[nf++] = s;
		if ((tab = strchr(s, '\t')) == NULL)
			break;
		*tab = '\0';
	}
	if (nf < 3)
		return ZBE_EZFS;
	if (cur == NULL || strcmp(cur->name, f[0]) != 0) {
		if ((cur = zbe_tree_add(t, f[0])) == NULL)
			return ZBE_ENOMEM;
	}
	if (nf == 4 && strcmp(f[1], ZBE_PROP_MOUNTPOINT) == 0)
		cur->mountpoint_local = strcmp(f[3], "local") == 0;
	return zbe_tree_set(cur, f[1], f[2]);
}

/*
 * Without sources (zfs list), a dataset's mountpoint is its own when it is
 * not what its parent's would make it: "legacy" and "none" pass down as
 * they are, a path gets "/<name>" added.
 */
static void
derive_local_mountpoints(zbe_tree_t *t)
{
	for (size_t i = 0; i < t->n; i++) {
		zbe_ds_t *d = &t->ds[i];
		const char *slash = strrchr(d->name, '/');
		if (d->snapshot || slash == NULL || d->mountpoint == NULL)
			continue;
		char *parent = strndup(d->name, (size_t)(slash - d->name));
		const zbe_ds_t *p = parent != NULL ? zbe_tree_find(t, parent) : NULL;
		free(parent);
		if (p == NULL || p->mountpoint == NULL)
			continue;
		if (strcmp(p->mountpoint, "legacy") == 0 || strcmp(p->mountpoint, "none") == 0) {
			d->mountpoint_local = strcmp(d->mountpoint, p->mountpoint) != 0;
		} else {
			size_t pl = strlen(p->mountpoint);
			const char *base = slash + 1;
			/* "/" + "var" is "/var", not "//var" */
			if (pl > 0 && p->mountpoint[pl - 1] == '/')
				pl--;
			d->mountpoint_local = strncmp(d->mountpoint, p->mountpoint, pl) != 0 ||
			    d->mountpoint[pl] != '/' || strcmp(d->mountpoint + pl + 1, base) != 0;
		}
	}
}

void
zbe_tree_finish(zbe_tree_t *t)
{
	tree_sort(t);
	if (t->no_sources)
		derive_local_mountpoints(t);
}

zbe_err_t
zbe_tree_parse_get(zbe_tree_t *t, const char *text)
{
	const char *p = text;
	char *line = NULL;
	size_t cap = 0;
	zbe_err_t err = ZBE_OK;

	while (*p != '\0' && err == ZBE_OK) {
		size_t len = strcspn(p, "\n");
		if (len + 1 > cap) {
			char *l = realloc(line, len + 1);
			if (l == NULL) {
				err = ZBE_ENOMEM;
				break;
			}
			line = l;
			cap = len + 1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (p[len] == '\n');
		err = zbe_tree_get_line(t, line);
	}
	free(line);
	if (err == ZBE_OK)
		zbe_tree_finish(t);
	return err;
}

/* One "zfs list -Hp -o name,<props>" line: columns in zbe_tree_props order. */
zbe_err_t
zbe_tree_list_line(void *arg, char *line)
{
	zbe_tree_t *t = arg;
	char *save = NULL, *name = strtok_r(line, "\t", &save);
	zbe_ds_t *d;

	if (name == NULL)
		return ZBE_OK;
	t->no_sources = true;
	if ((d = zbe_tree_add(t, name)) == NULL)
		return ZBE_ENOMEM;
	for (size_t i = 0; zbe_tree_props[i] != NULL; i++) {
		char *v = strtok_r(NULL, "\t", &save);
		if (v == NULL)
			return ZBE_EZFS;
		zbe_err_t err = zbe_tree_set(d, zbe_tree_props[i], v);
		if (err != ZBE_OK)
			return err;
	}
	return ZBE_OK;
}

char *
zbe_tree_props_csv(const char *first)
{
	size_t len = first != NULL ? strlen(first) + 1 : 0;
	char *s;

	for (size_t i = 0; zbe_tree_props[i] != NULL; i++)
		len += strlen(zbe_tree_props[i]) + 1;
	if ((s = calloc(1, len + 1)) == NULL)
		return NULL;
	if (first != NULL)
		strcpy(s, first);
	for (size_t i = 0; zbe_tree_props[i] != NULL; i++) {
		if (*s != '\0')
			strcat(s, ",");
		strcat(s, zbe_tree_props[i]);
	}
	return s;
}

zbe_err_t
zbe_tree_run(zbe_handle_t *h, zbe_argv_t *a, const char *const *roots, size_t nroots,
    zbe_line_fn *fn, zbe_tree_t *out)
{
	zbe_err_t err;

	for (size_t i = 0; i < nroots; i++)
		zbe_argv_add(a, roots[i]);
	if (a->oom) {
		zbe_argv_free(a);
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	err = zbe_run_lines(h, (const char *const *)a->v, fn, out);
	zbe_argv_free(a);
	if (err == ZBE_OK)
		zbe_tree_finish(out);
	return err;
}
