/*
 * zoneadm boot / halt, zlogin, and the zone's broker process.
 * Boot follows the seed: the running host BE's uuid, one tree read of the
 * zone's rpool, the one ZBE with parentbe = that uuid and active=on is
 * mounted on <zonepath>/root; none or several and the zone does not boot.
 */
#include "be_ops.h"
#include "zone_conf.h"
#include "zone_lxc.h"
#include "zone_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

char *
zbe_zone_lxcpath(zbe_handle_t *h)
{
	return zbe_asprintf("%s/lxc", h->conf.run_dir);
}

char *
zbe_zone_sockdir(zbe_handle_t *h, const char *zone)
{
	return zbe_asprintf("%s/zones/%s/sock", h->conf.run_dir, zone);
}

static char *
broker_pidfile(zbe_handle_t *h, const char *zone)
{
	return zbe_asprintf("%s/zones/%s/broker.pid", h->conf.run_dir, zone);
}

/* Left by boot for the pre-start hook of the start it makes: the root it
 * just selected needs no second look (and no second zfs call). */
static char *
fresh_start_marker(zbe_handle_t *h, const char *zone)
{
	return zbe_asprintf("%s/zones/%s/fresh-start", h->conf.run_dir, zone);
}

bool
zbe_zone_is_running(zbe_handle_t *h, const char *zone)
{
	char *lxcpath = zbe_zone_lxcpath(h);
	bool r = lxcpath != NULL && zbe_lxc_is_running(zone, lxcpath) == 1;

	free(lxcpath);
	return r;
}

bool
zbe_zone_root_mounted(zbe_handle_t *h, const char *zone)
{
	zbe_zone_conf_t zc;
	bool r = false;

	if (zbe_zone_conf_read(h, zone, &zc) != ZBE_OK)
		return false;
	char *root = zbe_asprintf("%s/root", zc.zonepath);
	char *ds = root != NULL ? zbe_mounted_dataset_at(root) : NULL;
	r = ds != NULL;
	free(ds);
	free(root);
	zbe_zone_conf_free(&zc);
	return r;
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

/* Start "<broker argv> <zone>" detached; it writes nothing we wait for
 * except its socket, which must appear before the zone starts. */
static zbe_err_t
broker_start(zbe_handle_t *h, const char *zone)
{
	char *sockdir = zbe_zone_sockdir(h, zone), *pidfile = broker_pidfile(h, zone), *sock = NULL;
	zbe_argv_t a = { 0 };
	posix_spawnattr_t attr;
	pid_t pid;
	zbe_err_t err = ZBE_OK;

	if (h->broker_argv == NULL)
		goto out;
	if (sockdir == NULL || pidfile == NULL || (sock = zbe_asprintf("%s/%s", sockdir, ZBE_ZONE_SOCKNAME)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if ((err = zbe_mkdir_p(h, sockdir)) != ZBE_OK)
		goto out;
	(void)unlink(sock);
	for (size_t i = 0; h->broker_argv[i] != NULL; i++)
		zbe_argv_add(&a, h->broker_argv[i]);
	zbe_argv_add(&a, zone);
	if (a.oom) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawn(&pid, a.v[0], &fa, &attr, a.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		err = zbe_fail(h, ZBE_ESPAWN, a.v[0], "%s", strerror(rc));
		goto out;
	}
	FILE *f = fopen(pidfile, "we");
	if (f != NULL) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	/* wait up to 5 s for the socket */
	for (int i = 0; i < 500; i++) {
		struct stat sb;
		int status;
		if (stat(sock, &sb) == 0)
			goto out;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			err = zbe_fail(h, ZBE_EZONE, zone, "the zone's broker exited at start");
			goto out;
		}
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	kill(pid, SIGTERM);
	err = zbe_fail(h, ZBE_EZONE, zone, "the zone's broker did not open its socket");
out:
	zbe_argv_free(&a);
	free(sockdir);
	free(pidfile);
	free(sock);
	return err;
}

static void
broker_stop(zbe_handle_t *h, const char *zone)
{
	char *pidfile = broker_pidfile(h, zone), *sockdir = zbe_zone_sockdir(h, zone);
	FILE *f = pidfile != NULL ? fopen(pidfile, "re") : NULL;
	int pid = 0;

	if (f != NULL) {
		if (fscanf(f, "%d", &pid) == 1 && pid > 1) {
			kill(pid, SIGTERM);
			for (int i = 0; i < 300 && kill(pid, 0) == 0; i++) {
				(void)waitpid(pid, NULL, WNOHANG);
				nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
			}
		}
		fclose(f);
		unlink(pidfile);
	}
	if (sockdir != NULL) {
		char *sock = zbe_asprintf("%s/%s", sockdir, ZBE_ZONE_SOCKNAME);
		if (sock != NULL)
			unlink(sock);
		free(sock);
		(void)rmdir(sockdir);
		char *zdir = strdup(sockdir);
		if (zdir != NULL) {
			*strrchr(zdir, '/') = '\0';
			(void)rmdir(zdir);
		}
		free(zdir);
	}
	free(pidfile);
	free(sockdir);
}

/* The one ZBE to boot, or an error naming the candidates and the fix. */
static zbe_err_t
select_zbe(zbe_handle_t *h, const zbe_state_t *st, const char *zone, const zbe_ds_t **out)
{
	char names[512] = "", all[512] = "";
	size_t n = 0;

	*out = NULL;
	if (st->host_uuid == NULL)
		return zbe_fail(h, ZBE_ENOROOT, zone, "the running host boot environment has no uuid");
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (!zbe_state_is_be(st, d) || zbe_state_foreign(h, st, d))
			continue;
		size_t l = strlen(all);
		snprintf(all + l, sizeof(all) - l, "%s%s", l ? ", " : "", zbe_be_name(st, d));
		if (!zbe_state_next(h, st, d))
			continue;
		l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "", zbe_be_name(st, d));
		*out = d;
		n++;
	}
	if (n == 1)
		return ZBE_OK;
	*out = NULL;
	if (n == 0)
		return zbe_fail(h, ZBE_ESELECT, zone,
		    "no active zone boot environment for the running host boot environment "
		    "(candidates: %s); fix with: beadm -z %s activate <ZBE>", *all ? all : "none", zone);
	return zbe_fail(h, ZBE_ESELECT, zone,
	    "%zu active zone boot environments for the running host boot environment (%s); "
	    "fix with: beadm -z %s activate <ZBE>", n, names, zone);
}

/* The global administrator's view of one zone's BEs. */
static zbe_err_t
admin_scope(zbe_handle_t *h, const char *zone)
{
	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	return zbe_scope_zone(h, zone, ZBE_POLICY_ADMIN);
}

static zbe_err_t
boot(zbe_handle_t *h, const char *zone, bool start)
{
	zbe_zone_conf_t zc;
	zbe_state_t st;
	const zbe_ds_t *zbe;
	char *root = NULL, *lxcpath = NULL, *sockdir = NULL;
	char errbuf[1024];
	bool mounted = false, broker = false;
	zbe_err_t err;

	if ((err = admin_scope(h, zone)) != ZBE_OK)
		return err;
	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto conf;
	if ((err = zbe_state_read(h, &st, 0, NULL, 0)) != ZBE_OK)
		goto unlock;
	if (zbe_tree_find(&st.tree, h->container) == NULL) {
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is not installed");
		goto out;
	}
	if (zbe_zone_is_running(h, zone)) {
		err = zbe_fail(h, ZBE_EBUSY, zone, "zone is already running");
		goto out;
	}
	if ((err = select_zbe(h, &st, zone, &zbe)) != ZBE_OK)
		goto out;
	root = zbe_asprintf("%s/root", zc.zonepath);
	lxcpath = zbe_zone_lxcpath(h);
	sockdir = zbe_zone_sockdir(h, zone);
	if (root == NULL || lxcpath == NULL || sockdir == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if (st.zone_running != NULL) {
		/* ready, or left mounted by a zone that died: select afresh */
		if ((err = zbe_unmount_ds(h, st.zone_running, true)) != ZBE_OK)
			goto out;
	}
	if ((err = zbe_mkdir_p(h, root)) != ZBE_OK || (err = h->drv->mount(h, zbe, root, true)) != ZBE_OK)
		goto out;
	mounted = true;
	if (!start)
		goto out;
	if ((err = broker_start(h, zone)) != ZBE_OK)
		goto fail;
	broker = h->broker_argv != NULL;
	if (!h->dry_run) {
		struct zbe_lxc_spec spec = {
			.name = zone,
			.lxcpath = lxcpath,
			.rootfs = root,
			.init = zc.init,
			.sockdir_host = broker ? sockdir : NULL,
			.sockdir_zone = ZBE_ZONE_SOCKDIR,
			.prestart_hook = h->prestart_hook,
		};
		char *marker = fresh_start_marker(h, zone);
		int mfd = marker != NULL ? open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
		if (mfd >= 0)
			close(mfd);
		if (zbe_mkdir_p(h, lxcpath) != ZBE_OK || zbe_lxc_start(&spec, errbuf, sizeof(errbuf)) != 0) {
			err = zbe_fail(h, ZBE_EZONE, zone, "cannot start: %s", errbuf);
			if (marker != NULL)
				(void)unlink(marker);
			free(marker);
			goto fail;
		}
		if (marker != NULL)
			(void)unlink(marker); /* no hook ran (none set): nothing else may take it */
		free(marker);
	}
	goto out;
fail:
	if (broker)
		broker_stop(h, zone);
	if (mounted) {
		char saved[sizeof(h->errmsg)];
		memcpy(saved, h->errmsg, sizeof(saved));
		(void)zbe_unmount_ds(h, zbe->name, true);
		memcpy(h->errmsg, saved, sizeof(saved));
		h->err = err;
	}
out:
	free(root);
	free(lxcpath);
	free(sockdir);
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
conf:
	zbe_zone_conf_free(&zc);
	return err;
}

zbe_err_t
zbe_zone_boot(zbe_handle_t *h, const char *zone)
{
	return boot(h, zone, true);
}

/* Select and mount the zone's root, start nothing (illumos' "ready"). */
zbe_err_t
zbe_zone_ready(zbe_handle_t *h, const char *zone)
{
	return boot(h, zone, false);
}

/* The ZBE mounted as root, and the one selected now; true when they differ. */
static bool
root_outdated(zbe_handle_t *h, const char *zone, const char *root, zbe_state_t *st,
    const zbe_ds_t **zbe, char **cur, zbe_err_t *err)
{
	*cur = NULL;
	if ((*err = zbe_state_read(h, st, 0, NULL, 0)) != ZBE_OK)
		return false;
	if ((*err = select_zbe(h, st, zone, zbe)) != ZBE_OK)
		return false;
	*cur = zbe_mounted_dataset_at(root);
	return *cur == NULL || strcmp(*cur, (*zbe)->name) != 0;
}

zbe_err_t
zbe_zone_prestart(zbe_handle_t *h, const char *zone)
{
	zbe_zone_conf_t zc;
	zbe_state_t st;
	const zbe_ds_t *zbe = NULL;
	char *root = NULL, *cur = NULL;
	char errbuf[1024];
	zbe_err_t err;

	if ((err = admin_scope(h, zone)) != ZBE_OK)
		return err;
	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	if ((root = zbe_asprintf("%s/root", zc.zonepath)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto conf;
	}
	/* the start zoneadm boot makes: it has just selected and mounted the root */
	char *marker = fresh_start_marker(h, zone);
	bool fresh = marker != NULL && unlink(marker) == 0;
	free(marker);
	if (fresh)
		goto conf;
	/* a first look without the lock: zoneadm boot holds it while it starts the zone */
	bool outdated = root_outdated(h, zone, root, &st, &zbe, &cur, &err);
	zbe_state_free(&st);
	free(cur);
	if (!outdated)
		goto conf;
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto conf;
	if (root_outdated(h, zone, root, &st, &zbe, &cur, &err)) {
		zbe_log(h, ZBE_LOG_INFO, "zone %s reboots on %s", zone, zbe_be_name(&st, zbe));
		if (cur != NULL && (err = zbe_unmount_ds(h, cur, false)) != ZBE_OK)
			goto unlock;
		bool mounted = false;
		if ((err = zbe_mkdir_p(h, root)) == ZBE_OK && (err = h->drv->mount(h, zbe, root, true)) == ZBE_OK) {
			mounted = true;
			if (!h->dry_run && zbe_lxc_make_shared(root, errbuf, sizeof(errbuf)) != 0)
				err = zbe_fail(h, ZBE_EZONE, zone, "%s", errbuf);
		}
		if (err != ZBE_OK) {
			/* the zone does not start; it keeps the root it had, as a ready zone */
			char saved[sizeof(h->errmsg)];
			memcpy(saved, h->errmsg, sizeof(saved));
			if (mounted)
				(void)zbe_unmount_ds(h, zbe->name, true);
			const zbe_ds_t *old = cur != NULL ? zbe_tree_find(&st.tree, cur) : NULL;
			if (old != NULL)
				(void)h->drv->mount(h, old, root, true);
			memcpy(h->errmsg, saved, sizeof(saved));
			h->err = err;
		}
	}
unlock:
	zbe_state_free(&st);
	free(cur);
	zbe_unlock(h);
conf:
	free(root);
	zbe_zone_conf_free(&zc);
	return err;
}

zbe_err_t
zbe_zone_halt(zbe_handle_t *h, const char *zone)
{
	char *lxcpath = NULL, *rootds = NULL;
	char errbuf[1024];
	zbe_err_t err;

	if ((err = admin_scope(h, zone)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	rootds = zbe_zone_root_dataset(h);
	if (!zbe_zone_is_running(h, zone)) {
		/* a ready zone has only its root mounted */
		err = rootds != NULL ? zbe_unmount_ds(h, rootds, false)
		    : zbe_fail(h, ZBE_EZONE, zone, "zone is not running");
		goto out;
	}
	if ((lxcpath = zbe_zone_lxcpath(h)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if (!h->dry_run && zbe_lxc_stop(zone, lxcpath, 10, errbuf, sizeof(errbuf)) != 0) {
		err = zbe_fail(h, ZBE_EZONE, zone, "cannot stop: %s", errbuf);
		goto out;
	}
	broker_stop(h, zone);
	if (rootds != NULL)
		err = zbe_unmount_ds(h, rootds, false);
out:
	free(lxcpath);
	free(rootds);
	zbe_unlock(h);
	return err;
}

zbe_err_t
zbe_zone_login(zbe_handle_t *h, const char *zone, char *const argv[], int *status)
{
	char *lxcpath;
	char errbuf[1024];
	zbe_err_t err = ZBE_OK;

	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	zbe_zone_conf_t zc;
	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	zbe_zone_conf_free(&zc);
	if (!zbe_zone_is_running(h, zone))
		return zbe_fail(h, ZBE_EZONE, zone, "zone is not running");
	if ((lxcpath = zbe_zone_lxcpath(h)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if (zbe_lxc_attach(zone, lxcpath, argv, status, errbuf, sizeof(errbuf)) != 0)
		err = zbe_fail(h, ZBE_EZONE, zone, "%s", errbuf);
	free(lxcpath);
	return err;
}
