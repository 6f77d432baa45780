/*
 * The zones' subordinate ids (see state.h).  A zone's root must be nobody
 * on the host and nobody in any other zone, so every zone gets a range of
 * host ids of its own.  They come from root's entries in /etc/subuid and
 * /etc/subgid, the files an admin already keeps for exactly this (shadow's
 * newuidmap, podman and lxc read them too): zbe never invents ids the admin
 * has not handed out, and a host without such entries is told how to add
 * them.
 */
#include "state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct range {
	uint64_t start, count;
} range_t;

#define MAX_RANGES 64

/* Root's ranges in a subuid/subgid file ("root:100000:655360" or "0:...").
 * A missing file is no ranges; an unreadable one is an error. */
static zbe_err_t
read_ranges(zbe_handle_t *h, const char *path, range_t *r, size_t *n)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	*n = 0;
	if (f == NULL)
		return errno == ENOENT ? ZBE_OK : zbe_fail(h, ZBE_EIO, path, "%s", strerror(errno));
	while (getline(&line, &cap, f) >= 0 && *n < MAX_RANGES) {
		char *save = NULL, *who = strtok_r(line, ":\n", &save);
		char *s = strtok_r(NULL, ":\n", &save), *c = strtok_r(NULL, ":\n", &save), *e1, *e2;
		if (who == NULL || s == NULL || c == NULL || (strcmp(who, "root") != 0 && strcmp(who, "0") != 0))
			continue;
		unsigned long long start = strtoull(s, &e1, 10), count = strtoull(c, &e2, 10);
		if (*e1 != '\0' || *e2 != '\0' || start == 0 || start + count > 0xffffffffull)
			continue; /* not ours to judge; newuidmap ignores such lines too */
		r[(*n)++] = (range_t){ start, count };
	}
	free(line);
	fclose(f);
	return ZBE_OK;
}

static bool
inside(const range_t *r, size_t n, uint64_t base)
{
	for (size_t i = 0; i < n; i++)
		if (base >= r[i].start && base + ZBE_ZONE_IDS <= r[i].start + r[i].count)
			return true;
	return false;
}

static bool
overlaps(const uint32_t *used, size_t n, uint64_t base)
{
	for (size_t i = 0; i < n; i++)
		if (base < (uint64_t)used[i] + ZBE_ZONE_IDS && (uint64_t)used[i] < base + ZBE_ZONE_IDS)
			return true;
	return false;
}

zbe_err_t
zbe_zone_ids_others(zbe_handle_t *h, const char *zone, uint32_t **bases, size_t *n)
{
	char **names = NULL;
	zbe_err_t err;

	*bases = NULL;
	*n = 0;
	if ((err = zbe_zone_names(h, &names)) != ZBE_OK)
		return err;
	size_t count = 0;
	while (names[count] != NULL)
		count++;
	if ((*bases = calloc(count + 1, sizeof(**bases))) == NULL) {
		zbe_strv_free(names);
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	for (size_t i = 0; i < count && err == ZBE_OK; i++) {
		zbe_zone_conf_t zc;
		if (strcmp(names[i], zone) == 0)
			continue;
		/* a zone whose file does not parse still holds its range: refuse
		 * rather than hand its ids out twice */
		if ((err = zbe_zone_conf_read(h, names[i], &zc)) != ZBE_OK)
			break;
		if (zc.has_id_base)
			(*bases)[(*n)++] = zc.id_base;
		zbe_zone_conf_free(&zc);
	}
	zbe_strv_free(names);
	if (err != ZBE_OK) {
		free(*bases);
		*bases = NULL;
		*n = 0;
	}
	return err;
}

typedef struct ids {
	range_t u[MAX_RANGES], g[MAX_RANGES];
	size_t nu, ng;
	uint32_t *used;
	size_t nused;
} ids_t;

static zbe_err_t
load(zbe_handle_t *h, const char *zone, ids_t *ids)
{
	zbe_err_t err;

	memset(ids, 0, sizeof(*ids));
	if ((err = read_ranges(h, h->conf.subuid_file, ids->u, &ids->nu)) != ZBE_OK ||
	    (err = read_ranges(h, h->conf.subgid_file, ids->g, &ids->ng)) != ZBE_OK)
		return err;
	if (ids->nu == 0 || ids->ng == 0)
		return zbe_fail(h, ZBE_ECONFIG, zone,
		    "root has no subordinate ids in %s: each zone needs %u of its own; add a line such as "
		    "\"root:100000:655360\" (ten zones) to %s and to %s",
		    ids->nu == 0 ? h->conf.subuid_file : h->conf.subgid_file, ZBE_ZONE_IDS,
		    h->conf.subuid_file, h->conf.subgid_file);
	return zbe_zone_ids_others(h, zone, &ids->used, &ids->nused);
}

zbe_err_t
zbe_zone_ids_alloc(zbe_handle_t *h, const char *zone, uint32_t *base)
{
	ids_t ids;
	zbe_err_t err;

	if ((err = load(h, zone, &ids)) != ZBE_OK)
		return err;
	/* first fit, in steps of one zone's range from the start of each of root's ranges */
	for (size_t i = 0; i < ids.nu; i++)
		for (uint64_t b = ids.u[i].start; b + ZBE_ZONE_IDS <= ids.u[i].start + ids.u[i].count;
		     b += ZBE_ZONE_IDS)
			if (inside(ids.g, ids.ng, b) && !overlaps(ids.used, ids.nused, b)) {
				*base = (uint32_t)b;
				free(ids.used);
				return ZBE_OK;
			}
	free(ids.used);
	return zbe_fail(h, ZBE_ECONFIG, zone,
	    "no free range of %u subordinate ids for root in both %s and %s (%zu zones hold one): "
	    "give root more ids there", ZBE_ZONE_IDS, h->conf.subuid_file, h->conf.subgid_file, ids.nused);
}

zbe_err_t
zbe_zone_ids_check(zbe_handle_t *h, const char *zone, uint32_t base)
{
	ids_t ids;
	zbe_err_t err;

	if ((err = load(h, zone, &ids)) != ZBE_OK)
		return err;
	if (!inside(ids.u, ids.nu, base) || !inside(ids.g, ids.ng, base))
		err = zbe_fail(h, ZBE_EINVAL, zone, "id-base=%u: ids %u-%u are not all root's in %s and %s",
		    (unsigned)base, (unsigned)base, (unsigned)(base + ZBE_ZONE_IDS - 1), h->conf.subuid_file,
		    h->conf.subgid_file);
	else if (overlaps(ids.used, ids.nused, base))
		err = zbe_fail(h, ZBE_EBUSY, zone, "id-base=%u: the range overlaps another zone's", (unsigned)base);
	free(ids.used);
	return err;
}
