/*
 * zbe.conf: "key = value" lines, '#' comments, blank lines.  An unknown
 * key or a bad value is an error that names the file and the line.
 */
#include "base.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Dataset names: no spaces, no leading '/', no "//", no '@' */
static bool
dataset_ok(const char *v)
{
	if (*v == '\0' || *v == '/' || *v == '-' || strstr(v, "//") != NULL)
		return false;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("/._:-", *p) == NULL)
			return false;
	return v[strlen(v) - 1] != '/';
}

static bool
abspath_ok(const char *v)
{
	return v[0] == '/' && strchr(v, '\n') == NULL;
}

static bool
driver_ok(const char *v)
{
	return strcmp(v, "auto") == 0 || strcmp(v, "openzfs") == 0 || strcmp(v, "zfs-fuse") == 0;
}

static bool
command_ok(const char *v)
{
	return *v != '\0' && *v != '-';
}

/* A whole number from 0 to max, in decimal. */
static bool
number_ok(const char *v, unsigned long max)
{
	char *end;

	if (!isdigit((unsigned char)*v) || strlen(v) > 9)
		return false;
	unsigned long n = strtoul(v, &end, 10);
	return *end == '\0' && n <= max;
}

static bool
keep_ok(const char *v)
{
	return number_ok(v, 999999);
}

static bool
percent_ok(const char *v)
{
	return number_ok(v, 100);
}

/* The apt hook's wait for each beadm: long enough for a create with many
 * zones, short enough that apt is not held for long. */
static bool
timeout_ok(const char *v)
{
	return number_ok(v, 3600) && strtoul(v, NULL, 10) > 0;
}

static bool
on_off_ok(const char *v)
{
	return strcmp(v, "on") == 0 || strcmp(v, "off") == 0;
}

struct key {
	const char *name;
	size_t off;
	bool (*valid)(const char *);
	const char *expect;
};

#define K(n, f, v, e) { n, offsetof(zbe_config_t, f), v, e }
static const struct key keys[] = {
	K("be_root", be_root, dataset_ok, "a dataset name"),
	K("system_root", system_root, abspath_ok, "an absolute path"),
	K("zones_dir", zones_dir, abspath_ok, "an absolute path"),
	K("run_dir", run_dir, abspath_ok, "an absolute path"),
	K("image_cache", image_cache, abspath_ok, "an absolute path"),
	K("zfs", zfs, command_ok, "a command"),
	K("zpool", zpool, command_ok, "a command"),
	K("driver", driver, driver_ok, "auto, openzfs or zfs-fuse"),
	K("keep", keep, keep_ok, "a whole number"),
	K("min_free", min_free, percent_ok, "a percentage from 0 to 100"),
	K("apt_snapshot", apt_snapshot, on_off_ok, "on or off"),
	K("apt_timeout", apt_timeout, timeout_ok, "a number of seconds from 1 to 3600"),
	K("subuid_file", subuid_file, abspath_ok, "an absolute path"),
	K("subgid_file", subgid_file, abspath_ok, "an absolute path"),
};

static zbe_err_t
parse(zbe_config_t *c, FILE *f, const char *path, char *errbuf, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	zbe_err_t err = ZBE_OK;

	while (err == ZBE_OK && getline(&line, &cap, f) >= 0) {
		char *s, *eq, *key, *val, *hash;
		const struct key *k = NULL;

		lineno++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		s = trim(line);
		if (*s == '\0')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			snprintf(errbuf, errlen, "%s:%u: expected 'key = value'", path, lineno);
			err = ZBE_ECONFIG;
			break;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(keys[i].name, key) == 0)
				k = &keys[i];
		if (k == NULL) {
			snprintf(errbuf, errlen, "%s:%u: unknown key '%s'", path, lineno, key);
			err = ZBE_ECONFIG;
		} else if (!k->valid(val)) {
			snprintf(errbuf, errlen, "%s:%u: %s: '%s' is not %s", path, lineno, key, val, k->expect);
			err = ZBE_ECONFIG;
		} else {
			char **slot = (char **)((char *)c + k->off);
			free(*slot);
			if ((*slot = strdup(val)) == NULL)
				err = ZBE_ENOMEM;
		}
	}
	free(line);
	return err;
}

static zbe_err_t
set_default(char **slot, const char *value)
{
	if (*slot != NULL)
		return ZBE_OK;
	*slot = strdup(value);
	return *slot != NULL ? ZBE_OK : ZBE_ENOMEM;
}

zbe_err_t
zbe_config_load(zbe_config_t *c, const char *path, bool must_exist, char *errbuf, size_t errlen)
{
	zbe_err_t err = ZBE_OK;
	FILE *f;

	memset(c, 0, sizeof(*c));
	f = fopen(path, "re");
	if (f == NULL) {
		if (must_exist || errno != ENOENT) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
			return ZBE_ECONFIG;
		}
	} else {
		c->path = strdup(path);
		err = parse(c, f, path, errbuf, errlen);
		fclose(f);
	}
	if (err == ZBE_OK)
		err = set_default(&c->system_root, "/");
	if (err == ZBE_OK && c->zones_dir == NULL) {
		const char *sr = c->system_root;
		c->zones_dir = zbe_asprintf("%s/etc/zbe/zones", strcmp(sr, "/") == 0 ? "" : sr);
		if (c->zones_dir == NULL)
			err = ZBE_ENOMEM;
	}
	if (err == ZBE_OK)
		err = set_default(&c->run_dir, "/run/zbe");
	if (err == ZBE_OK)
		err = set_default(&c->image_cache, "/var/cache/zbe/images");
	if (err == ZBE_OK)
		err = set_default(&c->zfs, "zfs");
	if (err == ZBE_OK)
		err = set_default(&c->zpool, "zpool");
	/* retention: the BEs of the last five apt runs are always kept; older
	 * automatic ones go once the pool is 80% full, where ZFS slows down */
	if (err == ZBE_OK)
		err = set_default(&c->keep, ZBE_DEFAULT_KEEP);
	if (err == ZBE_OK)
		err = set_default(&c->min_free, ZBE_DEFAULT_MIN_FREE);
	/* a BE before each apt run is asked for, not imposed */
	if (err == ZBE_OK)
		err = set_default(&c->apt_snapshot, "off");
	if (err == ZBE_OK)
		err = set_default(&c->apt_timeout, "60");
	if (err == ZBE_OK)
		err = set_default(&c->subuid_file, "/etc/subuid");
	if (err == ZBE_OK)
		err = set_default(&c->subgid_file, "/etc/subgid");
	if (err == ZBE_ENOMEM)
		snprintf(errbuf, errlen, "%s: %s", path, zbe_strerror(err));
	if (err != ZBE_OK)
		zbe_config_free(c);
	return err;
}

void
zbe_config_free(zbe_config_t *c)
{
	free(c->path);
	free(c->be_root);
	free(c->system_root);
	free(c->zones_dir);
	free(c->run_dir);
	free(c->image_cache);
	free(c->zfs);
	free(c->zpool);
	free(c->driver);
	free(c->keep);
	free(c->min_free);
	free(c->apt_snapshot);
	free(c->apt_timeout);
	free(c->subuid_file);
	free(c->subgid_file);
	memset(c, 0, sizeof(*c));
}
