/*
 * beadm list: a table (default), ';'-separated lines (-H, illumos format:
 * name;uuid;active;mountpoint;space_bytes;policy;created_epoch), or one
 * JSON document keyed by BE name (-j).  For zone BEs, which have no uuid
 * of their own, the uuid field holds the parentbe uuid.
 */
#include "beadm.h"

#include <json-c/json.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { SHOW_DATASETS = 1, SHOW_SNAPSHOTS = 2 };

static void
flags(const zbe_be_info_t *b, char out[8])
{
	char *p = out;

	if (b->running)
		*p++ = 'N';
	if (b->next)
		*p++ = 'R';
	if (b->once)
		*p++ = 'T';
	if (b->incomplete)
		*p++ = 'I';
	if (b->foreign)
		*p++ = '!';
	if (b->orphan)
		*p++ = 'O';
	if (p == out)
		*p++ = '-';
	*p = '\0';
}

/* zfs-style sizes: 512, 1.5K, 12.3M ... */
static void
human(uint64_t v, char *buf, size_t len)
{
	const char *units = "BKMGTPE";
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 6) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64, v);
	else if (d < 10)
		snprintf(buf, len, "%.2f%c", d, units[u]);
	else if (d < 100)
		snprintf(buf, len, "%.1f%c", d, units[u]);
	else
		snprintf(buf, len, "%.0f%c", d, units[u]);
}

static void
date(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* Inside a zone, mount points are shown as the zone sees them. */
static const beadm_ctx_t *list_ctx;
static const char *
view(const char *mp)
{
	if (mp == NULL || list_ctx == NULL || list_ctx->zone_root_dir == NULL)
		return mp;
	const char *v = beadm_zone_view(list_ctx, mp);
	return v != NULL ? v : "(global zone)";
}

static const char *
host_of(const zbe_be_info_t *b)
{
	return b->parentbe_name != NULL ? b->parentbe_name : "-";
}

/* The table: rows are collected first so that every column fits. */
#define NCOL 7
typedef struct row {
	char *col[NCOL];
	bool sub; /* a dataset or snapshot, indented under its BE */
} row_t;

static const char *
policy(const zbe_be_info_t *b)
{
	return b->policy_auto ? "auto" : "static";
}

static void
add_row(row_t *rows, size_t *n, const char *name, const char *flags, const char *mp, uint64_t space,
    const char *pol, int64_t created, const char *host)
{
	char sz[16], dt[32];

	human(space, sz, sizeof(sz));
	date(created, dt, sizeof(dt));
	row_t *r = &rows[(*n)++];
	r->sub = host == NULL;
	r->col[0] = strdup(name);
	r->col[1] = strdup(flags);
	r->col[2] = strdup(mp != NULL ? mp : "-");
	r->col[3] = strdup(sz);
	r->col[4] = strdup(pol);
	r->col[5] = strdup(dt);
	r->col[6] = strdup(host != NULL ? host : "-");
}

static void
print_cells(const char *const *cells, const size_t *w, int ncol, bool sub)
{
	for (int c = 0; c < ncol; c++) {
		const char *v = cells[c] != NULL ? cells[c] : "?";
		if (c + 1 == ncol)
			printf("%s\n", v);
		else if (c == 0 && sub)
			printf(" %-*s ", (int)w[c] - 1, v);
		else
			printf("%-*s ", (int)w[c], v);
	}
}

static void
print_table(const zbe_list_t *l, int show, bool zone)
{
	static const char *const head[NCOL] = { "BE", "Active", "Mountpoint", "Space", "Policy",
		"Created", "Host BE" };
	size_t nrows = 2, n = 0, w[NCOL] = { 0 };
	int ncol = zone ? NCOL : NCOL - 1;
	char f[8];

	for (size_t i = 0; i < l->n; i++)
		nrows += 1 + l->bes[i].ndatasets + l->bes[i].nsnaps;
	row_t *rows = calloc(nrows, sizeof(*rows));
	if (rows == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		const zbe_be_info_t *b = &l->bes[i];
		flags(b, f);
		add_row(rows, &n, b->name, f, view(b->mountpoint), b->space, policy(b), b->creation,
		    host_of(b) != NULL ? host_of(b) : "-");
		for (size_t j = 0; (show & SHOW_DATASETS) && j < b->ndatasets; j++) {
			const zbe_ds_info_t *d = &b->datasets[j];
			add_row(rows, &n, d->name, "-", view(d->mountpoint), d->used, policy(b), d->creation, NULL);
		}
		for (size_t j = 0; (show & SHOW_SNAPSHOTS) && j < b->nsnaps; j++) {
			const zbe_snap_info_t *s = &b->snaps[j];
			add_row(rows, &n, s->name, "-", NULL, s->used, policy(b), s->creation, NULL);
		}
	}
	for (int c = 0; c < ncol; c++) {
		w[c] = strlen(head[c]);
		for (size_t r = 0; r < n; r++)
			if (rows[r].col[c] != NULL && strlen(rows[r].col[c]) + (c == 0) > w[c])
				w[c] = strlen(rows[r].col[c]) + (c == 0);
	}
	char dashes[NCOL][16];
	const char *dash[NCOL];
	for (int c = 0; c < NCOL; c++) {
		size_t k = strlen(head[c]);
		memset(dashes[c], '-', k);
		dashes[c][k] = '\0';
		dash[c] = dashes[c];
	}
	print_cells(head, w, ncol, false);
	print_cells(dash, w, ncol, false);
	for (size_t r = 0; r < n; r++)
		print_cells((const char *const *)rows[r].col, w, ncol, rows[r].sub);
	for (size_t r = 0; r < n; r++)
		for (int c = 0; c < NCOL; c++)
			free(rows[r].col[c]);
	free(rows);
}

static void
print_parsable(const zbe_list_t *l, int show, bool zone)
{
	char f[8];

	for (size_t i = 0; i < l->n; i++) {
		const zbe_be_info_t *b = &l->bes[i];
		flags(b, f);
		const char *id = zone ? b->parentbe : b->uuid;
		printf("%s;%s;%s;%s;%" PRIu64 ";%s;%" PRId64 "\n", b->name, id ? id : "", f,
		    b->mountpoint ? view(b->mountpoint) : "", b->space, policy(b), b->creation);
		if (show & SHOW_DATASETS)
			for (size_t j = 0; j < b->ndatasets; j++) {
				const zbe_ds_info_t *d = &b->datasets[j];
				printf("%s;%s;;%s;%" PRIu64 ";%s;%" PRId64 "\n", b->name, d->name,
				    d->mountpoint ? view(d->mountpoint) : "", d->used, policy(b), d->creation);
			}
		if (show & SHOW_SNAPSHOTS)
			for (size_t j = 0; j < b->nsnaps; j++) {
				const zbe_snap_info_t *s = &b->snaps[j];
				printf("%s;%s;;;%" PRIu64 ";%s;%" PRId64 "\n", b->name, s->name, s->used,
				    policy(b), s->creation);
			}
	}
}

static json_object *
jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static void
print_json(const zbe_list_t *l, int show, bool zone)
{
	json_object *root = json_object_new_object();
	char f[8];

	for (size_t i = 0; i < l->n; i++) {
		const zbe_be_info_t *b = &l->bes[i];
		json_object *o = json_object_new_object();
		flags(b, f);
		json_object_object_add(o, "dataset", jstr(b->dataset));
		if (zone) {
			json_object_object_add(o, "parentbe", jstr(b->parentbe));
			json_object_object_add(o, "host_be", jstr(b->parentbe_name));
			json_object_object_add(o, "active_property", json_object_new_boolean(b->active_prop));
			json_object_object_add(o, "foreign", json_object_new_boolean(b->foreign));
			json_object_object_add(o, "orphan", json_object_new_boolean(b->orphan));
			json_object_object_add(o, "incomplete", json_object_new_boolean(b->incomplete));
		} else {
			json_object_object_add(o, "uuid", jstr(b->uuid));
		}
		json_object_object_add(o, "active", json_object_new_string(f));
		json_object_object_add(o, "running", json_object_new_boolean(b->running));
		json_object_object_add(o, "active_on_reboot", json_object_new_boolean(b->next));
		if (!zone)
			json_object_object_add(o, "active_next_boot_only", json_object_new_boolean(b->once));
		json_object_object_add(o, "mountpoint", jstr(view(b->mountpoint)));
		json_object_object_add(o, "space", json_object_new_int64((int64_t)b->space));
		json_object_object_add(o, "policy", json_object_new_string(policy(b)));
		json_object_object_add(o, "apt_txn", jstr(b->apt_txn));
		json_object_object_add(o, "created", json_object_new_int64(b->creation));
		json_object_object_add(o, "description", jstr(b->description));
		if (show & SHOW_DATASETS) {
			json_object *ds = json_object_new_object();
			for (size_t j = 0; j < b->ndatasets; j++) {
				const zbe_ds_info_t *d = &b->datasets[j];
				json_object *x = json_object_new_object();
				json_object_object_add(x, "mountpoint", jstr(view(d->mountpoint)));
				json_object_object_add(x, "space", json_object_new_int64((int64_t)d->used));
				json_object_object_add(x, "created", json_object_new_int64(d->creation));
				json_object_object_add(x, "origin", jstr(d->origin));
				json_object_object_add(ds, d->name, x);
			}
			json_object_object_add(o, "datasets", ds);
		}
		if (show & SHOW_SNAPSHOTS) {
			json_object *ss = json_object_new_object();
			for (size_t j = 0; j < b->nsnaps; j++) {
				const zbe_snap_info_t *s = &b->snaps[j];
				json_object *x = json_object_new_object();
				json_object_object_add(x, "space", json_object_new_int64((int64_t)s->used));
				json_object_object_add(x, "created", json_object_new_int64(s->creation));
				json_object_object_add(ss, s->name, x);
			}
			json_object_object_add(o, "snapshots", ss);
		}
		json_object_object_add(root, b->name, o);
	}
	printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

int
beadm_list(beadm_ctx_t *c, int argc, char **argv)
{
	bool all = false, parsable = false, json = false;
	int show = 0, opt;
	zbe_list_t *l;

	while ((opt = getopt(argc, argv, "adsHj")) != -1) {
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 'd':
			show |= SHOW_DATASETS;
			break;
		case 's':
			show |= SHOW_SNAPSHOTS;
			break;
		case 'H':
			parsable = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return beadm_usage_error("list", "unknown option");
		}
	}
	if (all && show)
		return beadm_usage_error("list", "-a excludes -d and -s");
	if (parsable && json)
		return beadm_usage_error("list", "-H excludes -j");
	if (argc - optind > 1)
		return beadm_usage_error("list", "too many arguments");
	if (all)
		show = SHOW_DATASETS | SHOW_SNAPSHOTS;
	if (zbe_list(c->h, argc - optind == 1 ? argv[optind] : NULL, &l) != ZBE_OK)
		return beadm_fail(c);
	bool zone = c->zone != NULL;
	list_ctx = c;
	if (json)
		print_json(l, show, zone);
	else if (parsable)
		print_parsable(l, show, zone);
	else
		print_table(l, show, zone);
	zbe_list_free(l);
	return 0;
}
