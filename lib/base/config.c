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
	K("zfs", zfs, command_ok, "a command"),
	K("zpool", zpool, command_ok, "a command"),
	K("driver", driver, driver_ok, "auto, openzfs or zfs-fuse"),
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
		err = set_default(&c->zfs, "zfs");
	if (err == ZBE_OK)
		err = set_default(&c->zpool, "zpool");
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
	free(c->zfs);
	free(c->zpool);
	free(c->driver);
	free(c->subuid_file);
	free(c->subgid_file);
	memset(c, 0, sizeof(*c));
}
