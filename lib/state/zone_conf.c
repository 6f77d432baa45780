/* Zone configuration files (see state.h). */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
zbe_zone_conf_path(zbe_handle_t *h, const char *zone)
{
	return zbe_asprintf("%s/%s.conf", h->conf.zones_dir, zone);
}

void
zbe_zone_conf_free(zbe_zone_conf_t *zc)
{
	free(zc->name);
	free(zc->zonepath);
	free(zc->init);
	free(zc->uuid);
	free(zc->be_quota);
	memset(zc, 0, sizeof(*zc));
}

static bool
bool_value(const char *v, const char *yes, const char *no, bool *out)
{
	if (strcmp(v, yes) == 0)
		*out = true;
	else if (strcmp(v, no) == 0)
		*out = false;
	else
		return false;
	return true;
}

static bool
path_ok(const char *v)
{
	if (v[0] != '/' || strstr(v, "/../") != NULL || strstr(v, "/./") != NULL)
		return false;
	size_t n = strlen(v);
	if (n >= 3 && strcmp(v + n - 3, "/..") == 0)
		return false;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ' ')
			return false;
	return n > 1;
}

/* A ZFS size as zfs set quota= takes it: digits, an optional fraction and
 * one of the suffixes; the value reaches a zfs command line. */
static bool
size_ok(const char *v)
{
	size_t n = strspn(v, "0123456789");

	if (n == 0 || n > 20)
		return false;
	v += n;
	if (*v == '.' && (n = strspn(v + 1, "0123456789")) > 0 && n <= 6)
		v += 1 + n;
	if (*v != '\0' && strchr("KMGTPE", *v) != NULL)
		v++;
	return *v == '\0';
}

static bool
id_base_ok(const char *v, uint32_t *out)
{
	char *end;
	unsigned long long b;

	if (*v < '1' || *v > '9' || strlen(v) > 10)
		return false;
	errno = 0;
	b = strtoull(v, &end, 10);
	/* never host id 0 and never a range that wraps past 2^32 - 1 */
	if (errno != 0 || *end != '\0' || b + ZBE_ZONE_IDS > 0xffffffffull)
		return false;
	*out = (uint32_t)b;
	return true;
}

zbe_err_t
zbe_zone_conf_set(zbe_handle_t *h, zbe_zone_conf_t *zc, const char *kv)
{
	const char *eq = strchr(kv, '=');
	const char *v;
	char key[32];

	if (eq == NULL || (size_t)(eq - kv) >= sizeof(key))
		return zbe_fail(h, ZBE_EINVAL, kv, "expected key=value");
	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	v = eq + 1;
	if (strcmp(key, "zonepath") == 0) {
		if (!path_ok(v))
			return zbe_fail(h, ZBE_EINVAL, kv, "zonepath must be an absolute path");
		free(zc->zonepath);
		zc->zonepath = strdup(v);
		/* a trailing slash would break dirname/basename */
		if (zc->zonepath != NULL && zc->zonepath[strlen(zc->zonepath) - 1] == '/')
			zc->zonepath[strlen(zc->zonepath) - 1] = '\0';
	} else if (strcmp(key, "autoboot") == 0) {
		if (!bool_value(v, "true", "false", &zc->autoboot))
			return zbe_fail(h, ZBE_EINVAL, kv, "autoboot is true or false");
	} else if (strcmp(key, "be-ops") == 0) {
		if (!bool_value(v, "deny", "allow", &zc->be_ops_deny))
			return zbe_fail(h, ZBE_EINVAL, kv, "be-ops is allow or deny");
	} else if (strcmp(key, "init") == 0) {
		if (!path_ok(v))
			return zbe_fail(h, ZBE_EINVAL, kv, "init must be an absolute path");
		free(zc->init);
		zc->init = strdup(v);
	} else if (strcmp(key, "id-base") == 0) {
		if (strcmp(v, "auto") == 0) {
			zc->id_base_auto = true;
		} else if (id_base_ok(v, &zc->id_base)) {
			zc->has_id_base = true;
			zc->id_base_auto = false;
		} else {
			return zbe_fail(h, ZBE_EINVAL, kv, "id-base is auto or a host id above 0");
		}
	} else if (strcmp(key, "be-quota") == 0) {
		if (strcmp(v, "none") != 0 && !size_ok(v))
			return zbe_fail(h, ZBE_EINVAL, kv, "be-quota is a size such as 10G, or none");
		free(zc->be_quota);
		zc->be_quota = strcmp(v, "none") == 0 ? NULL : strdup(v);
	} else if (strcmp(key, "uuid") == 0) {
		free(zc->uuid);
		zc->uuid = strdup(v);
	} else {
		bool known;
		zbe_err_t err = zbe_zone_conf_set_limit(h, zc, key, v, &known);
		if (!known)
			return zbe_fail(h, ZBE_EINVAL, kv, "unknown property (zonepath, autoboot, be-ops, init, id-base, "
			    "be-quota, capped-memory.physical, capped-cpu.ncpus, max-processes, net)");
		return err;
	}
	return ZBE_OK;
}

zbe_err_t
zbe_zone_conf_read(zbe_handle_t *h, const char *zone, zbe_zone_conf_t *zc)
{
	char *path, *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	zbe_err_t err = ZBE_OK;
	FILE *f;

	memset(zc, 0, sizeof(*zc));
	if (!zbe_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	if ((path = zbe_zone_conf_path(h, zone)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if ((f = fopen(path, "re")) == NULL) {
		err = errno == ENOENT ? zbe_fail(h, ZBE_ENOENT, zone, "no such zone configured")
		    : zbe_fail(h, ZBE_EIO, path, "%s", strerror(errno));
		free(path);
		return err;
	}
	zc->name = strdup(zone);
	while (err == ZBE_OK && getline(&line, &cap, f) >= 0) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((err = zbe_zone_conf_set(h, zc, line)) != ZBE_OK)
			zbe_fail(h, ZBE_ECONFIG, path, "line %u: %s", lineno, h->errmsg);
	}
	free(line);
	fclose(f);
	if (err == ZBE_OK && zc->zonepath == NULL)
		err = zbe_fail(h, ZBE_ECONFIG, path, "no zonepath");
	if (err == ZBE_OK && zc->init == NULL && (zc->init = strdup("/sbin/init")) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	free(path);
	if (err != ZBE_OK)
		zbe_zone_conf_free(zc);
	return err;
}

/* Written to a temporary file and renamed: never half a configuration. */
zbe_err_t
zbe_zone_conf_write(zbe_handle_t *h, const zbe_zone_conf_t *zc)
{
	char *path = zbe_zone_conf_path(h, zc->name), *tmp = zbe_asprintf("%s/.%s.conf.tmp", h->conf.zones_dir, zc->name);
	zbe_err_t err;
	FILE *f;

	if (path == NULL || tmp == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if ((err = zbe_mkdir_p(h, h->conf.zones_dir)) != ZBE_OK)
		goto out;
	if ((f = fopen(tmp, "we")) == NULL) {
		err = zbe_fail(h, ZBE_EIO, tmp, "%s", strerror(errno));
		goto out;
	}
	fprintf(f, "# zone %s: written by zonecfg\n", zc->name);
	fprintf(f, "zonepath=%s\nautoboot=%s\nbe-ops=%s\ninit=%s\n", zc->zonepath,
	    zc->autoboot ? "true" : "false", zc->be_ops_deny ? "deny" : "allow",
	    zc->init != NULL ? zc->init : "/sbin/init");
	if (zc->uuid != NULL)
		fprintf(f, "uuid=%s\n", zc->uuid);
	if (zc->has_id_base)
		fprintf(f, "id-base=%u\n", (unsigned)zc->id_base);
	if (zc->be_quota != NULL)
		fprintf(f, "be-quota=%s\n", zc->be_quota);
	zbe_zone_limits_write(f, zc);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		err = zbe_fail(h, ZBE_EIO, tmp, "%s", strerror(errno));
		fclose(f);
		unlink(tmp);
		goto out;
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		err = zbe_fail(h, ZBE_EIO, path, "%s", strerror(errno));
		unlink(tmp);
	}
out:
	free(path);
	free(tmp);
	return err;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

zbe_err_t
zbe_zone_names(zbe_handle_t *h, char ***out)
{
	DIR *d = opendir(h->conf.zones_dir);
	struct dirent *e;
	char **v = calloc(1, sizeof(*v));
	size_t n = 0;

	*out = NULL;
	if (v == NULL) {
		if (d != NULL)
			closedir(d);
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	if (d == NULL) {
		*out = v; /* no directory: no zones */
		return ZBE_OK;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		char *name = strndup(e->d_name, len - 5);
		char **nv = realloc(v, (n + 2) * sizeof(*v));
		if (name == NULL || nv == NULL) {
			free(name);
			if (nv != NULL)
				v = nv;
			closedir(d);
			zbe_strv_free(v);
			return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		}
		v = nv;
		if (!zbe_name_valid(name)) {
			free(name);
			continue;
		}
		v[n++] = name;
		v[n] = NULL;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return ZBE_OK;
}

zbe_err_t
zbe_zone_dataset(zbe_handle_t *h, const zbe_zone_conf_t *zc, char **zpds)
{
	char *dir = strdup(zc->zonepath), *base = strdup(zc->zonepath);
	char *parent_ds = NULL;
	zbe_err_t err = ZBE_OK;

	*zpds = NULL;
	if (dir == NULL || base == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	parent_ds = zbe_mounted_dataset_at(dirname(dir));
	if (parent_ds == NULL)
		err = zbe_fail(h, ZBE_EZONE, zc->zonepath,
		    "the zonepath's parent directory is not a ZFS mount point");
	else if (!zbe_name_valid(basename(base)))
		err = zbe_fail(h, ZBE_ENAME, zc->zonepath, "the zonepath's last component is not a valid name");
	else if ((*zpds = zbe_asprintf("%s/%s", parent_ds, basename(base))) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
out:
	free(dir);
	free(base);
	free(parent_ds);
	return err;
}

zbe_err_t
zbe_zone_conf_dataset(zbe_handle_t *h, const char *zone, zbe_zone_conf_t *zc, char **zpds)
{
	zbe_err_t err;

	*zpds = NULL;
	memset(zc, 0, sizeof(*zc));
	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	if ((err = zbe_zone_conf_read(h, zone, zc)) != ZBE_OK)
		return err;
	if ((err = zbe_zone_dataset(h, zc, zpds)) != ZBE_OK)
		zbe_zone_conf_free(zc);
	return err;
}
