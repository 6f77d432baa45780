/*
 * zoneadm install / uninstall.  Install makes <zpds>, <zpds>/rpool and
 * <zpds>/rpool/ZBE1 (tagged for the running host BE, active), fills ZBE1
 * and marks the zone complete; while it runs <zpds> carries
 * org.zbe:zonestate=incomplete, and a failure destroys all it made.
 */
#include "be_ops.h"
#include "zone_conf.h"
#include "zone_image.h"
#include "zone_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fill root from a directory (cp -a) or a tarball (tar -x), no shell. */
static zbe_err_t
populate(zbe_handle_t *h, const char *root, const char *source)
{
	struct stat sb;
	char errbuf[512];

	if (source == NULL) {
		if (zbe_image_build_minimal(root, h->zone_client,
		    h->zone_client != NULL ? "/usr/sbin/beadm" : NULL, errbuf, sizeof(errbuf)) != 0)
			return zbe_fail(h, ZBE_EZONE, "install", "%s", errbuf);
		return ZBE_OK;
	}
	if (stat(source, &sb) != 0)
		return zbe_fail(h, ZBE_ENOENT, source, "%s", strerror(errno));
	if (S_ISDIR(sb.st_mode)) {
		char *from = zbe_asprintf("%s/.", source);
		const char *argv[] = { "cp", "-a", "--", from, root, NULL };
		zbe_err_t err = from == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : zbe_run(h, ZBE_CMD_MUTATE, argv, NULL);
		free(from);
		return err;
	}
	const char *argv[] = { "tar", "-x", "-f", source, "-C", root, NULL };
	if (zbe_run(h, ZBE_CMD_MUTATE, argv, NULL) != ZBE_OK)
		return zbe_fail(h, ZBE_EZONE, source, "does not unpack: %s", h->errmsg);
	return ZBE_OK;
}

zbe_err_t
zbe_zone_install(zbe_handle_t *h, const char *zone, const char *source)
{
	zbe_zone_conf_t zc;
	zbe_state_t st;
	zbe_undo_t undo = { 0 };
	char *zpds = NULL, *rpool = NULL, *zbe1 = NULL, *root = NULL;
	bool mounted = false;
	zbe_err_t err;

	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	if ((err = zbe_zone_dataset(h, &zc, &zpds)) != ZBE_OK) {
		zbe_zone_conf_free(&zc);
		return err;
	}
	if (source != NULL && access(source, R_OK) != 0) {
		err = zbe_fail(h, ZBE_ENOENT, source, "%s", strerror(errno));
		free(zpds);
		zbe_zone_conf_free(&zc);
		return err;
	}
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto unlock;
	char *parent = strdup(zpds);
	if (parent == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto unlock;
	}
	*strrchr(parent, '/') = '\0';
	const char *roots[] = { parent };
	err = zbe_state_read(h, &st, 0, roots, 1);
	free(parent);
	if (err != ZBE_OK)
		goto unlock;
	rpool = zbe_asprintf("%s/rpool", zpds);
	zbe1 = zbe_asprintf("%s/rpool/ZBE1", zpds);
	root = zbe_asprintf("%s/root", zc.zonepath);
	if (rpool == NULL || zbe1 == NULL || root == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if (zbe_tree_find(&st.tree, zpds) != NULL) {
		err = zbe_fail(h, ZBE_EEXIST, zone, zbe_tree_find(&st.tree, rpool) != NULL
		    ? "zone already installed" : "dataset %s already exists", zpds);
		goto out;
	}
	if (st.host_uuid == NULL) {
		err = zbe_fail(h, ZBE_ENOROOT, zone, "the running host boot environment has no uuid");
		goto out;
	}
	char *p1 = zbe_asprintf("%s=incomplete", ZBE_PROP_ZONESTATE);
	char *p2 = zbe_asprintf("%s=%s", ZBE_PROP_PARENTBE, st.host_uuid);
	char *p3 = zbe_asprintf("%s=on", ZBE_PROP_ACTIVE);
	if (p1 == NULL || p2 == NULL || p3 == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if (err == ZBE_OK && (err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "create", "-o", p1, zpds, NULL)) == ZBE_OK)
		zbe_undo_zfs(&undo, h, "destroy", "-r", zpds, NULL);
	if (err == ZBE_OK)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "create", "-o", "canmount=off", "-o", "mountpoint=none",
		    rpool, NULL);
	if (err == ZBE_OK)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "create", "-o", "mountpoint=legacy", "-o",
		    "canmount=noauto", "-o", p2, "-o", p3, zbe1, NULL);
	free(p1);
	free(p2);
	free(p3);
	if (err == ZBE_OK && !h->dry_run && mkdir(root, 0755) != 0 && errno != EEXIST)
		err = zbe_fail(h, ZBE_EIO, root, "%s", strerror(errno));
	if (err == ZBE_OK) {
		zbe_ds_t d = { .name = zbe1, .mountpoint_local = true };
		err = h->drv->mount(h, &d, root, true);
		mounted = err == ZBE_OK;
	}
	if (err == ZBE_OK && !h->dry_run)
		err = populate(h, root, source);
	if (mounted) {
		zbe_err_t e2 = zbe_unmount_ds(h, zbe1, err != ZBE_OK);
		err = err != ZBE_OK ? err : e2;
	}
	if (err == ZBE_OK)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "inherit", ZBE_PROP_ZONESTATE, zpds, NULL);
	if (err != ZBE_OK) {
		zbe_undo_run(&undo, h);
		if (!h->dry_run)
			(void)rmdir(root);
	}
out:
	zbe_undo_free(&undo);
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
	free(zpds);
	free(rpool);
	free(zbe1);
	free(root);
	zbe_zone_conf_free(&zc);
	return err;
}

/* Destroy the zone's datasets, promoting clones that live elsewhere first. */
zbe_err_t
zbe_zone_uninstall(zbe_handle_t *h, const char *zone)
{
	zbe_zone_conf_t zc;
	zbe_state_t st;
	char *zpds = NULL;
	zbe_err_t err;

	if (!zbe_zone_name_valid(zone))
		return zbe_fail(h, ZBE_ENAME, zone, "invalid zone name");
	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	if ((err = zbe_zone_dataset(h, &zc, &zpds)) != ZBE_OK)
		goto conf;
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto conf;
	char *parent = strdup(zpds);
	if (parent == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto unlock;
	}
	*strrchr(parent, '/') = '\0';
	/* the whole pool: clones of the zone's snapshots may live anywhere in it */
	char *pool = zbe_pool_of(zpds);
	const char *roots[] = { pool };
	err = pool == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL) : zbe_state_read(h, &st, 0, roots, 1);
	free(pool);
	free(parent);
	if (err != ZBE_OK)
		goto unlock;
	const zbe_ds_t *d = zbe_tree_find(&st.tree, zpds);
	zbe_zone_state_t s = zbe_zone_state_of(h, &st.tree, zone, zpds);
	if (d == NULL)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is not installed");
	else if (s == ZBE_ZONE_RUNNING)
		err = zbe_fail(h, ZBE_EBUSY, zone, "zone is running; halt it first");
	else
		err = zbe_destroy_locked(h, &st, d, ZBE_DESTROY_SNAPSHOTS | ZBE_DESTROY_FORCE_UNMOUNT);
	if (err == ZBE_OK && !h->dry_run) {
		char *root = zbe_asprintf("%s/root", zc.zonepath);
		if (root != NULL)
			(void)rmdir(root);
		free(root);
		(void)rmdir(zc.zonepath);
	}
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
conf:
	free(zpds);
	zbe_zone_conf_free(&zc);
	return err;
}
