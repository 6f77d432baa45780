/*
 * zoneadm boot and ready.  Boot follows the seed: the running host BE's
 * uuid, one tree read of the zone's rpool, the one ZBE with parentbe =
 * that uuid and active=on (state/select.c) mounted on <zonepath>/root;
 * none or several and the zone does not boot.  Then the broker, then the
 * container.  Ready stops after the mount.
 */
#include "zone.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The install's mark, set on <zpds>, is inherited by its rpool. */
static bool
install_interrupted(const zbe_state_t *st, const char *container)
{
	const zbe_ds_t *d = zbe_tree_find(&st->tree, container);

	return d != NULL && d->incomplete;
}

/* The zone's detached mark, or an unfinished move's, is inherited by its rpool. */
static const zbe_ds_t *
container_of(const zbe_state_t *st, const char *container)
{
	return zbe_tree_find(&st->tree, container);
}

/*
 * Remember which ZBE booted, for attach's rule (the last booted one is
 * re-tagged when none belongs to the running host BE).  Set only when it
 * changes: a zone that boots its usual ZBE pays no zfs call for it.  A
 * failure is a warning: the zone runs.
 */
void
zbe_zone_record_booted(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *zbe)
{
	const zbe_ds_t *c = container_of(st, h->container);
	const char *name = zbe_be_name(st, zbe);

	if (c == NULL || (c->last_booted != NULL && strcmp(c->last_booted, name) == 0))
		return;
	char *kv = zbe_asprintf("%s=%s", ZBE_PROP_LAST_BOOTED, name);
	if (kv == NULL || zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", kv, h->container, NULL) != ZBE_OK)
		zbe_log(h, ZBE_LOG_WARN, "%s: cannot record the zone boot environment it booted: %s", h->zone,
		    kv == NULL ? "out of memory" : zbe_errmsg(h));
	free(kv);
}

/* The broker, then the container on the mounted root. */
static zbe_err_t
start_zone(zbe_handle_t *h, const zbe_zone_conf_t *zc, const char *root)
{
	char *lxcpath = zbe_zone_lxcpath(h), *sockdir = zbe_zone_run_file(h, zc->name, ZBE_ZONE_SOCK_LEAF);
	char *marker = zbe_zone_run_file(h, zc->name, ZBE_ZONE_FRESH_START);
	bool broker = h->broker_argv != NULL;
	zbe_err_t err;

	if (lxcpath == NULL || sockdir == NULL || marker == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	else
		err = zbe_broker_start(h, zc->name);
	if (err != ZBE_OK || h->dry_run)
		goto out;
	zbe_lxc_spec_t spec = {
		.name = zc->name,
		.lxcpath = lxcpath,
		.rootfs = root,
		.init = zc->init,
		.sockdir_host = broker ? sockdir : NULL,
		.sockdir_zone = ZBE_ZONE_SOCKDIR,
		.prestart_hook = h->prestart_hook,
		.id_base = zc->id_base,
		.caps = &zc->caps,
		.net = zc->net,
		.nnet = zc->nnet,
	};
	int mfd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (mfd >= 0)
		close(mfd);
	if ((err = zbe_mkdir_p(h, lxcpath)) == ZBE_OK && (err = zbe_lxc_start(h, &spec)) != ZBE_OK)
		zbe_error_prepend(h, "%s: cannot start", zc->name);
	/* taken by the hook when one ran; when none is set, nothing else may take it */
	(void)unlink(marker);
	if (err != ZBE_OK && broker) {
		zbe_saved_error_t saved;
		zbe_error_save(h, &saved);
		zbe_broker_stop(h, zc->name);
		zbe_error_restore(h, &saved);
	}
out:
	free(lxcpath);
	free(sockdir);
	free(marker);
	return err;
}

static zbe_err_t
boot(zbe_handle_t *h, const char *zone, bool start)
{
	zbe_zone_conf_t zc;
	zbe_op_t op = { 0 };
	const zbe_ds_t *zbe = NULL;
	char *root = NULL;
	zbe_err_t err;

	if ((err = zbe_zone_admin_scope(h, zone)) != ZBE_OK)
		return err;
	if ((err = zbe_zone_conf_read(h, zone, &zc)) != ZBE_OK)
		return err;
	if ((err = zbe_op_begin(h, &op, 0, NULL, NULL)) != ZBE_OK)
		goto out;
	/* the broker and the zone's processes outlive this command: they must
	 * not inherit signals blocked (a blocked SIGTERM would never stop them) */
	if (op.held) {
		zbe_signals_release(h);
		op.held = false;
	}
	if (zbe_tree_find(&op.st.tree, h->container) == NULL)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is not installed");
	else if (install_interrupted(&op.st, h->container))
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is incomplete: its install was interrupted; "
		    "zoneadm -z %s install again (it undoes the rest first), or uninstall", zone);
	else if (container_of(&op.st, h->container)->detached)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is detached: zoneadm -z %s attach", zone);
	else if (container_of(&op.st, h->container)->move_to != NULL)
		err = zbe_fail(h, ZBE_EZONE, zone, "zone is being moved to %s: zoneadm -z %s move %s again "
		    "finishes it", container_of(&op.st, h->container)->move_to, zone,
		    container_of(&op.st, h->container)->move_to);
	else if (zbe_zone_is_running(h, zone))
		err = zbe_fail(h, ZBE_EBUSY, zone, "zone is already running");
	else if ((err = zbe_zone_select(h, &op.st, &zbe)) == ZBE_OK &&
	    (root = zbe_asprintf("%s/root", zc.zonepath)) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if (err == ZBE_OK && start)
		err = zbe_zone_check_ids(h, &zc);
	/* ready, or left mounted by a zone that died: select afresh */
	if (err == ZBE_OK && op.st.zone_running != NULL)
		err = zbe_unmount_tree(h, op.st.zone_running, true);
	if (err == ZBE_OK && (err = zbe_mkdir_p(h, root)) == ZBE_OK)
		err = zbe_drv(h)->mount(h, zbe, root, true);
	bool mounted = err == ZBE_OK;
	if (err == ZBE_OK && start && !h->dry_run)
		err = zbe_zone_shift_root(h, &zc, root, false);
	if (err == ZBE_OK && start)
		err = start_zone(h, &zc, root);
	if (err == ZBE_OK && start)
		zbe_zone_record_booted(h, &op.st, zbe);
	if (err != ZBE_OK && mounted) {
		zbe_saved_error_t saved;
		zbe_error_save(h, &saved);
		(void)zbe_unmount_tree(h, zbe->name, true);
		zbe_error_restore(h, &saved);
	}
out:
	free(root);
	zbe_op_end(&op, err);
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
