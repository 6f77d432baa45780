/*
 * zoneadm install.  It makes <zpds>, <zpds>/rpool and
 * <zpds>/rpool/ZBE1 (tagged for the running host BE, active), fills ZBE1
 * and marks the zone complete; while it runs <zpds> carries
 * org.zbe:zonestate=incomplete, and a failure destroys all it made.
 */
#include "zone.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fill root: the minimal image, a copy of a directory (cp -a) or an
 * archive unpacked confined to root (see zbe_image_unpack); no shell. */
static zbe_err_t
populate(zbe_handle_t *h, const char *root, const zbe_install_src_t *src)
{
	struct stat sb;

	if (src->kind == ZBE_INSTALL_MINIMAL) {
		if (zbe_image_build_minimal(h, root, h->zone_client,
		    h->zone_client != NULL ? "/usr/sbin/beadm" : NULL) != ZBE_OK)
			return zbe_error_prepend(h, "install");
		return ZBE_OK;
	}
	if (stat(src->path, &sb) != 0)
		return zbe_fail(h, ZBE_ENOENT, src->path, "%s", strerror(errno));
	if (S_ISDIR(sb.st_mode) && src->kind == ZBE_INSTALL_SOURCE) {
		char *from = zbe_asprintf("%s/.", src->path);
		const char *argv[] = { "cp", "-a", "--", from, root, NULL };
		zbe_err_t err = from == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : zbe_run(h, ZBE_CMD_MUTATE, argv, NULL);
		free(from);
		return err;
	}
	return zbe_image_unpack(h, root, src->path);
}

/* debian/80zbe, the apt configuration the package installs */
static const char apt_conf[] =
    "// zbe: a boot environment before each apt transaction, when\n"
    "// /etc/zbe/zbe.conf says apt_snapshot = on (see zbe.conf(5)).\n"
    "DPkg::Pre-Install-Pkgs { \"/usr/libexec/zbe/zbe-apt-hook || true\"; };\n"
    "DPkg::Tools::Options::/usr/libexec/zbe/zbe-apt-hook::Version \"3\";\n";

/* What the Debian image gets per zone, beneath its root: the zone's
 * host name and the in-zone beadm, as the busybox image carries it. */
static zbe_err_t
personalize(zbe_handle_t *h, const char *root, const char *zone)
{
	char *name = zbe_asprintf("%s\n", zone);
	zbe_err_t err = name != NULL ? zbe_image_put(h, root, "etc/hostname", NULL, name, 0644)
	    : zbe_fail(h, ZBE_ENOMEM, NULL, NULL);

	free(name);
	if (err == ZBE_OK && h->zone_client != NULL)
		err = zbe_image_put(h, root, "usr/sbin/beadm", h->zone_client, NULL, 0755);
	/* the apt hook where the package puts it; zbe.conf's apt_snapshot
	 * (off unless the zone's /etc/zbe/zbe.conf says on) decides */
	if (err == ZBE_OK && h->zone_apt_hook != NULL)
		err = zbe_image_put(h, root, "usr/libexec/zbe/zbe-apt-hook", h->zone_apt_hook, NULL, 0755);
	if (err == ZBE_OK && h->zone_apt_hook != NULL)
		err = zbe_image_put(h, root, "etc/apt/apt.conf.d/80zbe", NULL, apt_conf, 0644);
	return err != ZBE_OK ? zbe_error_prepend(h, "install") : ZBE_OK;
}

zbe_err_t
zbe_zone_install(zbe_handle_t *h, const char *zone, const char *source)
{
	zbe_install_src_t src = { source != NULL ? ZBE_INSTALL_SOURCE : ZBE_INSTALL_MINIMAL, source, NULL };

	return zbe_zone_install_from(h, zone, &src);
}

zbe_err_t
zbe_zone_install_from(zbe_handle_t *h, const char *zone, const zbe_install_src_t *src)
{
	const char *source = src->kind != ZBE_INSTALL_MINIMAL ? src->path : NULL;
	zbe_install_src_t debian = { ZBE_INSTALL_ARCHIVE, NULL, NULL };
	char *image = NULL;
	zbe_zone_conf_t zc;
	zbe_state_t st;
	zbe_undo_t undo = { 0 };
	char *zpds = NULL, *rpool = NULL, *zbe1 = NULL, *root = NULL;
	bool mounted = false;
	zbe_err_t err;

	if ((err = zbe_zone_conf_dataset(h, zone, &zc, &zpds)) != ZBE_OK)
		return err;
	if (!zc.has_id_base) {
		err = zbe_fail(h, ZBE_ECONFIG, zone, "the zone has no id range (configured by an earlier version): "
		    "zonecfg -z %s set id-base=auto", zone);
		free(zpds);
		zbe_zone_conf_free(&zc);
		return err;
	}
	/* the Debian image is built (minutes) before the lock is taken: other
	 * operations go on meanwhile; the cache has a lock of its own */
	if (src->kind == ZBE_INSTALL_DEBIAN) {
		const char *rel = src->release != NULL ? src->release : ZBE_DEBIAN_DEFAULT_RELEASE;
		if (h->dry_run)
			zbe_log(h, ZBE_LOG_PLAN, "the debian %s image from %s", rel, h->conf.image_cache);
		else if ((err = zbe_image_debian(h, h->conf.image_cache, rel, "/etc/apt", &image)) != ZBE_OK)
			zbe_error_prepend(h, "%s", zone);
		debian.path = source = image;
	}
	struct stat sb;
	if (err != ZBE_OK)
		;
	else if (source != NULL && access(source, R_OK) != 0)
		err = zbe_fail(h, ZBE_ENOENT, source, "%s", strerror(errno));
	else if (src->kind == ZBE_INSTALL_ARCHIVE && (stat(source, &sb) != 0 || !S_ISREG(sb.st_mode)))
		err = zbe_fail(h, ZBE_EINVAL, source, "not a tar archive (not a regular file)");
	if (err != ZBE_OK) {
		free(zpds);
		free(image);
		zbe_zone_conf_free(&zc);
		return err;
	}
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto unlock;
	char *parent = zbe_zone_parent_dataset(h, zpds);
	if (parent == NULL) {
		err = ZBE_ENOMEM;
		goto unlock;
	}
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
	const zbe_ds_t *old = zbe_tree_find(&st.tree, zpds);
	if (old != NULL && old->incomplete && !zbe_zone_is_running(h, zone)) {
		/* an install killed half-way (its mark is still set): undo it, then install */
		if ((err = zbe_destroy_locked(h, &st, old, ZBE_DESTROY_SNAPSHOTS | ZBE_DESTROY_FORCE_UNMOUNT)) != ZBE_OK) {
			zbe_error_prepend(h, "%s: cannot undo the interrupted install", zone);
			goto out;
		}
		zbe_zone_drop_clone_snapshot(h, &st, old);
		zbe_log(h, ZBE_LOG_WARN, "zone %s: an interrupted install was undone", zone);
		old = NULL;
	}
	if (old != NULL) {
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
	if (err == ZBE_OK && !h->dry_run)
		err = zbe_zone_own_zonepath(h, &zc);
	char *quota = zc.be_quota != NULL ? zbe_asprintf("%s=%s", ZBE_PROP_QUOTA, zc.be_quota) : NULL;
	if (err == ZBE_OK && zc.be_quota != NULL && quota == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if (err == ZBE_OK)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "create", "-o", "canmount=off", "-o", "mountpoint=none", "-o", ZBE_ZBM_INACTIVE,
		    quota != NULL ? "-o" : rpool, quota != NULL ? quota : NULL, quota != NULL ? rpool : NULL, NULL);
	free(quota);
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
		err = zbe_drv(h)->mount(h, &d, root, true);
		mounted = err == ZBE_OK;
	}
	if (err == ZBE_OK && !h->dry_run)
		err = populate(h, root, src->kind == ZBE_INSTALL_DEBIAN ? &debian : src);
	if (err == ZBE_OK && !h->dry_run && src->kind == ZBE_INSTALL_DEBIAN)
		err = personalize(h, root, zone);
	if (err == ZBE_OK && !h->dry_run)
		err = zbe_zone_shift_root(h, &zc, root, true);
	if (mounted) {
		zbe_err_t e2 = zbe_unmount_tree(h, zbe1, err != ZBE_OK);
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
	free(image);
	zbe_zone_conf_free(&zc);
	return err;
}
