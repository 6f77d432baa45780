/* The handle: configuration, which ZFS, hooks, and the host scope. */
#include "base.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZBE_DEFAULT_CONF "/etc/zbe/zbe.conf"

/* Where the loaded OpenZFS module tells its version, e.g. "2.3.2-2~bpo12+2". */
#define OPENZFS_VERSION_FILE "/sys/module/zfs/version"

/* The oldest OpenZFS the driver knows: Debian 12's 2.1 (channel programs
 * with -j, multi-dataset snapshots, zfs list -p). */
#define OPENZFS_MIN_MAJOR 2
#define OPENZFS_MIN_MINOR 1

bool
zbe_openzfs_version_ok(const char *version)
{
	unsigned long major, minor;
	char *end;

	major = strtoul(version, &end, 10);
	if (end == version || *end != '.')
		return false;
	minor = strtoul(end + 1, &end, 10);
	return major > OPENZFS_MIN_MAJOR || (major == OPENZFS_MIN_MAJOR && minor >= OPENZFS_MIN_MINOR);
}

/*
 * Which ZFS: the driver key of zbe.conf, or (auto) OpenZFS when its kernel
 * module is there (/dev/zfs, /sys/module/zfs), zfs-fuse otherwise.  The
 * driver itself is looked up by this name when first used (zfs/driver.c).
 * A loaded OpenZFS older than the driver knows is refused.
 */
static zbe_err_t
choose_driver(zbe_handle_t *h, char *errbuf, size_t errlen)
{
	const char *want = h->conf.driver != NULL ? h->conf.driver : "auto";
	char version[64] = "";
	FILE *f;

	if (strcmp(want, "auto") != 0)
		h->driver_name = strcmp(want, "openzfs") == 0 ? "openzfs" : "zfs-fuse";
	else
		h->driver_name = access("/dev/zfs", F_OK) == 0 || access("/sys/module/zfs", F_OK) == 0
		    ? "openzfs" : "zfs-fuse";
	if (strcmp(h->driver_name, "openzfs") != 0 || (f = fopen(OPENZFS_VERSION_FILE, "re")) == NULL)
		return ZBE_OK;
	if (fgets(version, sizeof(version), f) != NULL)
		version[strcspn(version, "\n")] = '\0';
	fclose(f);
	if (version[0] != '\0' && !zbe_openzfs_version_ok(version)) {
		snprintf(errbuf, errlen, "OpenZFS %s is older than zbe supports (%d.%d or later)", version,
		    OPENZFS_MIN_MAJOR, OPENZFS_MIN_MINOR);
		return ZBE_ENOTSUP;
	}
	return ZBE_OK;
}

zbe_handle_t *
zbe_open(const char *conf_path, zbe_err_t *errp, char *errbuf, size_t errlen)
{
	zbe_handle_t *h = calloc(1, sizeof(*h));
	const char *env = getenv("ZBE_CONF");
	bool must_exist = true;
	zbe_err_t err;

	if (h == NULL) {
		*errp = ZBE_ENOMEM;
		snprintf(errbuf, errlen, "%s", zbe_strerror(ZBE_ENOMEM));
		return NULL;
	}
	if (conf_path == NULL && env != NULL && *env != '\0')
		conf_path = env;
	if (conf_path == NULL) {
		conf_path = ZBE_DEFAULT_CONF;
		must_exist = false;
	}
	err = zbe_config_load(&h->conf, conf_path, must_exist, errbuf, errlen);
	if (err != ZBE_OK) {
		*errp = err;
		free(h);
		return NULL;
	}
	if ((err = choose_driver(h, errbuf, errlen)) != ZBE_OK) {
		*errp = err;
		zbe_config_free(&h->conf);
		free(h);
		return NULL;
	}
	h->lock_fd = -1;
	h->scope = ZBE_SCOPE_HOST;
	*errp = ZBE_OK;
	return h;
}

void
zbe_close(zbe_handle_t *h)
{
	if (h == NULL)
		return;
	while (h->lock_depth > 0)
		zbe_unlock(h);
	zbe_config_free(&h->conf);
	free(h->container);
	free(h->host_container);
	zbe_strv_free(h->broker_argv);
	free(h->zone_client);
	free(h->zone_apt_hook);
	free(h->prestart_hook);
	free(h->zone);
	free(h->zonepath);
	free(h->confine_root);
	free(h);
}

void
zbe_set_log_hook(zbe_handle_t *h, zbe_log_fn *fn, void *arg)
{
	h->log_fn = fn;
	h->log_arg = arg;
}

void
zbe_set_dry_run(zbe_handle_t *h, bool dry_run)
{
	h->dry_run = dry_run;
}

unsigned
zbe_command_count(const zbe_handle_t *h)
{
	return h->ncommands;
}

char *
zbe_running_host_dataset(zbe_handle_t *h)
{
	return zbe_mounted_dataset_at(h->conf.system_root);
}

const char *
zbe_root_layout(zbe_handle_t *h, const char *dataset)
{
	const char *c = NULL, *slash = strrchr(dataset, '/');
	zbe_saved_error_t saved;
	size_t n;

	if (slash == NULL)
		return ZBE_MOUNTPOINT_LEGACY;
	/* asked on the way out of a mount: the handle's error stays its own */
	zbe_error_save(h, &saved);
	bool known = zbe_host_container(h, &c) == ZBE_OK;
	(void)zbe_error_restore(h, &saved);
	if (!known)
		return ZBE_MOUNTPOINT_LEGACY;
	n = strlen(c);
	return (size_t)(slash - dataset) == n && strncmp(dataset, c, n) == 0 ? ZBE_MOUNTPOINT_ROOT
	                                                                      : ZBE_MOUNTPOINT_LEGACY;
}

zbe_err_t
zbe_host_container(zbe_handle_t *h, const char **out)
{
	char *running, *slash;

	if (h->conf.be_root != NULL) {
		*out = h->conf.be_root;
		return ZBE_OK;
	}
	if (h->host_container != NULL) {
		*out = h->host_container;
		return ZBE_OK;
	}
	running = zbe_running_host_dataset(h);
	if (running == NULL || (slash = strrchr(running, '/')) == NULL) {
		free(running);
		return zbe_fail(h, ZBE_ENOROOT, h->conf.system_root,
		    "no ZFS boot environment is mounted there; set be_root in %s",
		    h->conf.path != NULL ? h->conf.path : ZBE_DEFAULT_CONF);
	}
	*slash = '\0';
	h->host_container = running;
	*out = running;
	return ZBE_OK;
}

const char *
zbe_conf_get(zbe_handle_t *h, const char *key)
{
	static const struct {
		const char *key;
		size_t off;
	} plain[] = {
		{ "system_root", offsetof(zbe_config_t, system_root) },
		{ "zones_dir", offsetof(zbe_config_t, zones_dir) },
		{ "run_dir", offsetof(zbe_config_t, run_dir) },
		{ "image_cache", offsetof(zbe_config_t, image_cache) },
		{ "zfs", offsetof(zbe_config_t, zfs) },
		{ "zpool", offsetof(zbe_config_t, zpool) },
		{ "conf", offsetof(zbe_config_t, path) },
		{ "keep", offsetof(zbe_config_t, keep) },
		{ "min_free", offsetof(zbe_config_t, min_free) },
		{ "apt_snapshot", offsetof(zbe_config_t, apt_snapshot) },
		{ "apt_timeout", offsetof(zbe_config_t, apt_timeout) },
	};

	if (strcmp(key, "be_root") == 0) {
		const char *c = NULL;
		return zbe_host_container(h, &c) == ZBE_OK ? c : NULL;
	}
	if (strcmp(key, "driver") == 0)
		return h->driver_name;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(key, plain[i].key) == 0)
			return *(char *const *)((const char *)&h->conf + plain[i].off);
	return NULL;
}

void
zbe_set_broker(zbe_handle_t *h, const char *const *argv_prefix)
{
	zbe_strv_free(h->broker_argv);
	h->broker_argv = NULL;
	size_t n = 0;
	while (argv_prefix != NULL && argv_prefix[n] != NULL)
		n++;
	if (n == 0 || (h->broker_argv = calloc(n + 1, sizeof(char *))) == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		h->broker_argv[i] = strdup(argv_prefix[i]);
}

void
zbe_set_zone_client(zbe_handle_t *h, const char *path)
{
	free(h->zone_client);
	h->zone_client = zbe_strdup(path);
}

void
zbe_set_zone_apt_hook(zbe_handle_t *h, const char *path)
{
	free(h->zone_apt_hook);
	h->zone_apt_hook = zbe_strdup(path);
}

void
zbe_set_prestart_hook(zbe_handle_t *h, const char *const *argv)
{
	size_t len = 1;

	free(h->prestart_hook);
	h->prestart_hook = NULL;
	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		len += strlen(argv[i]) + 1;
	if (argv == NULL || argv[0] == NULL || (h->prestart_hook = calloc(1, len)) == NULL)
		return;
	for (size_t i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			strcat(h->prestart_hook, " ");
		strcat(h->prestart_hook, argv[i]);
	}
}
