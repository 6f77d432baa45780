/* The handle: configuration, driver, hooks, and the host scope. */
#include "zbe_impl.h"
#include "zone_conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZBE_DEFAULT_CONF "/etc/zbe/zbe.conf"

/* OpenZFS when its kernel module is loaded; zfs-fuse otherwise. */
static const zbe_driver_t *
pick_driver(void)
{
	return access("/sys/module/zfs", F_OK) == 0 ? &zbe_driver_openzfs : &zbe_driver_fuse;
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
	h->drv = pick_driver();
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
	free(h->prestart_hook);
	free(h->zone);
	free(h->zonepath);
	free(h->zone_root_ds);
	free(h->mount_root);
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
	if (strcmp(key, "be_root") == 0) {
		const char *c = NULL;
		return zbe_host_container(h, &c) == ZBE_OK ? c : NULL;
	}
	if (strcmp(key, "system_root") == 0)
		return h->conf.system_root;
	if (strcmp(key, "zones_dir") == 0)
		return h->conf.zones_dir;
	if (strcmp(key, "run_dir") == 0)
		return h->conf.run_dir;
	if (strcmp(key, "zfs") == 0)
		return h->conf.zfs;
	if (strcmp(key, "zpool") == 0)
		return h->conf.zpool;
	if (strcmp(key, "conf") == 0)
		return h->conf.path;
	if (strcmp(key, "driver") == 0)
		return h->drv->name;
	return NULL;
}
