/*
 * zoneadm -z NEW clone [-s ZBE@snapshot] SOURCE.  NEW's ZBE1 is a ZFS
 * clone of SOURCE's ZBE for the running host BE (or of the snapshot),
 * tagged for the running host BE and active, its files given to NEW's
 * own id range; nothing is copied.  Like install: <zpds> carries
 * org.zbe:zonestate=incomplete until the last step, and a failure
 * destroys all it made (the snapshot it took too).
 *
 * Without -s, SOURCE must be halted: its active ZBE is what a running
 * SOURCE writes to, and a snapshot taken then holds whatever its
 * processes had half-written (illumos refuses a running source too).
 * The snapshot clone takes is SOURCE's; NEW's <zpds> names it
 * (org.zbe:clone-snapshot), and it goes with NEW: uninstall, or the undo
 * of a clone killed half-way, destroys it when nothing else is cloned
 * from it (zbe_zone_drop_clone_snapshot).  It is not tagged automatic:
 * seen from SOURCE's BEs alone it backs nothing, and beadm check would
 * call it stray while NEW lives on it.
 */
#include "zone.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct clone_job {
	zbe_zone_conf_t zc, sc;  /* NEW's and SOURCE's configurations */
	char *zpds, *szpds;      /* their zonepath datasets */
	char *rpool, *zbe1, *root;
	char *origin;            /* SOURCE's ZBE@snapshot that ZBE1 is cloned from */
	bool own_snap;           /* origin was taken here */
} clone_job_t;

static void
job_free(clone_job_t *j)
{
	zbe_zone_conf_free(&j->zc);
	zbe_zone_conf_free(&j->sc);
	free(j->zpds);
	free(j->szpds);
	free(j->rpool);
	free(j->zbe1);
	free(j->root);
	free(j->origin);
}

static size_t
pool_len(const char *ds)
{
	return strcspn(ds, "/");
}

/* What can be said before the lock: names, configurations, the pool. */
static zbe_err_t
check_args(zbe_handle_t *h, clone_job_t *j, const char *zone, const char *source, const char *snapshot)
{
	zbe_err_t err;

	if (!zbe_zone_name_valid(source))
		return zbe_fail(h, ZBE_ENAME, source, "invalid zone name");
	if (strcmp(zone, source) == 0)
		return zbe_fail(h, ZBE_EINVAL, zone, "a zone cannot be cloned from itself");
	if (snapshot != NULL) {
		const char *at = strchr(snapshot, '@');
		char be[128];
		if (at == NULL || (size_t)(at - snapshot) >= sizeof(be))
			return zbe_fail(h, ZBE_EINVAL, snapshot, "expected ZBE@snapshot");
		snprintf(be, sizeof(be), "%.*s", (int)(at - snapshot), snapshot);
		if (!zbe_name_valid(be) || !zbe_name_valid(at + 1))
			return zbe_fail(h, ZBE_ENAME, snapshot, "invalid zone boot environment or snapshot name");
	}
	if ((err = zbe_zone_conf_dataset(h, zone, &j->zc, &j->zpds)) != ZBE_OK)
		return err;
	if (!j->zc.has_id_base)
		return zbe_fail(h, ZBE_ECONFIG, zone, "the zone has no id range (configured by an earlier version): "
		    "zonecfg -z %s set id-base=auto", zone);
	if ((err = zbe_zone_conf_dataset(h, source, &j->sc, &j->szpds)) != ZBE_OK)
		return err;
	if (pool_len(j->zpds) != pool_len(j->szpds) || strncmp(j->zpds, j->szpds, pool_len(j->zpds)) != 0)
		return zbe_fail(h, ZBE_EINVAL, zone,
		    "its zonepath dataset %s is not in the pool of %s's (%s): a ZFS clone stays in its pool; "
		    "give %s a zonepath in that pool, or install it", j->zpds, source, j->szpds, zone);
	j->rpool = zbe_asprintf("%s/rpool", j->zpds);
	j->zbe1 = zbe_asprintf("%s/rpool/ZBE1", j->zpds);
	j->root = zbe_asprintf("%s/root", j->zc.zonepath);
	if (j->rpool == NULL || j->zbe1 == NULL || j->root == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	return ZBE_OK;
}

/* SOURCE's ZBE@snapshot to clone: the one named, or a new snapshot of the
 * ZBE SOURCE boots for the running host BE. */
static zbe_err_t
find_origin(zbe_handle_t *h, clone_job_t *j, const zbe_state_t *st, const char *source, const char *snapshot)
{
	const zbe_ds_t *src = NULL, *zpds = zbe_tree_find(&st->tree, j->szpds);
	zbe_err_t err;

	if (zpds == NULL || zbe_tree_find(&st->tree, h->container) == NULL)
		return zbe_fail(h, ZBE_EZONE, source, "zone is not installed");
	if (zpds->incomplete)
		return zbe_fail(h, ZBE_EZONE, source, "zone is incomplete: its install was interrupted");
	if (snapshot != NULL) {
		if ((j->origin = zbe_asprintf("%s/%s", h->container, snapshot)) == NULL)
			return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		const zbe_ds_t *s = zbe_tree_find(&st->tree, j->origin);
		if (s == NULL || !s->snapshot)
			return zbe_fail(h, ZBE_ENOENT, snapshot, "no such snapshot in zone %s", source);
		return ZBE_OK;
	}
	if ((err = zbe_zone_select(h, st, &src)) != ZBE_OK)
		return zbe_error_prepend(h, "clone");
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H:%M:%S", gmtime_r(&now, &tm));
	j->origin = zbe_asprintf("%s@clone-%s-%s", src->name, j->zc.name, stamp);
	if (j->origin == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if (zbe_tree_find(&st->tree, j->origin) != NULL)
		return zbe_fail(h, ZBE_EEXIST, j->origin, "exists already: clone again in a second");
	j->own_snap = true;
	return ZBE_OK;
}

/* The steps, each recorded in undo as it is made. */
static zbe_err_t
make(zbe_handle_t *h, clone_job_t *j, const zbe_state_t *st, zbe_undo_t *undo)
{
	char *mark = zbe_asprintf("%s=incomplete", ZBE_PROP_ZONESTATE);
	char *parent = zbe_asprintf("%s=%s", ZBE_PROP_PARENTBE, st->host_uuid);
	char *active = zbe_asprintf("%s=on", ZBE_PROP_ACTIVE);
	char *record = j->own_snap ? zbe_asprintf("%s=%s", ZBE_PROP_CLONE_SNAP, j->origin) : NULL;
	char *quota = j->zc.be_quota != NULL ? zbe_asprintf("%s=%s", ZBE_PROP_QUOTA, j->zc.be_quota) : NULL;
	bool mounted = false;
	zbe_err_t err = ZBE_OK;

	if (mark == NULL || parent == NULL || active == NULL || (j->own_snap && record == NULL) ||
	    (j->zc.be_quota != NULL && quota == NULL))
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	/* first, so that the undo (last in, first out) destroys what depends
	 * on it before it */
	if (err == ZBE_OK && j->own_snap &&
	    (err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "snapshot", j->origin, NULL)) == ZBE_OK)
		zbe_undo_zfs(undo, h, "destroy", j->origin, NULL);
	if (err == ZBE_OK && (err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "create", "-o", mark,
	    record != NULL ? "-o" : j->zpds, record, record != NULL ? j->zpds : NULL, NULL)) == ZBE_OK)
		zbe_undo_zfs(undo, h, "destroy", "-r", j->zpds, NULL);
	if (err == ZBE_OK && !h->dry_run)
		err = zbe_zone_own_zonepath(h, &j->zc);
	if (err == ZBE_OK)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "create", "-o", "canmount=off", "-o", "mountpoint=none", "-o", ZBE_ZBM_INACTIVE,
		    quota != NULL ? "-o" : j->rpool, quota, quota != NULL ? j->rpool : NULL, NULL);
	/* the clone is undone with <zpds> (destroy -r) */
	if (err == ZBE_OK)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "clone", "-o", "mountpoint=legacy", "-o", "canmount=noauto",
		    "-o", parent, "-o", active, j->origin, j->zbe1, NULL);
	if (err == ZBE_OK && !h->dry_run && mkdir(j->root, 0755) != 0 && errno != EEXIST)
		err = zbe_fail(h, ZBE_EIO, j->root, "%s", strerror(errno));
	if (err == ZBE_OK) {
		zbe_ds_t d = { .name = j->zbe1, .mountpoint_local = true };
		err = zbe_drv(h)->mount(h, &d, j->root, true);
		mounted = err == ZBE_OK;
	}
	/* SOURCE's ids (one of the other zones' ranges) become NEW's */
	if (err == ZBE_OK && !h->dry_run)
		err = zbe_zone_shift_root(h, &j->zc, j->root, true);
	if (mounted) {
		zbe_err_t e2 = zbe_unmount_tree(h, j->zbe1, err != ZBE_OK);
		err = err != ZBE_OK ? err : e2;
	}
	if (err == ZBE_OK)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "inherit", ZBE_PROP_ZONESTATE, j->zpds, NULL);
	if (err != ZBE_OK && !h->dry_run)
		(void)rmdir(j->root);
	free(mark);
	free(parent);
	free(active);
	free(record);
	free(quota);
	return err;
}

zbe_err_t
zbe_zone_clone(zbe_handle_t *h, const char *zone, const char *source, const char *snapshot)
{
	clone_job_t j = { 0 };
	zbe_undo_t undo = { 0 };
	zbe_state_t st;
	bool have_state = false;
	zbe_err_t err;

	if ((err = check_args(h, &j, zone, source, snapshot)) != ZBE_OK)
		goto out;
	/* SOURCE's scope: its rpool is read, and its ZBE selected, as at its boot */
	if ((err = zbe_zone_admin_scope(h, source)) != ZBE_OK)
		goto out;
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto unlock;
	char *parent = zbe_zone_parent_dataset(h, j.zpds);
	if (parent == NULL) {
		err = ZBE_ENOMEM;
		goto unlock;
	}
	const char *roots[] = { parent, j.szpds };
	err = zbe_state_read(h, &st, 0, roots, 2);
	free(parent);
	if (err != ZBE_OK)
		goto unlock;
	have_state = true;
	const zbe_ds_t *old = zbe_tree_find(&st.tree, j.zpds);
	if (old != NULL && old->incomplete && !zbe_zone_is_running(h, zone)) {
		/* an install or clone killed half-way (its mark is still set):
		 * undo it first, as install does */
		if ((err = zbe_destroy_locked(h, &st, old, ZBE_DESTROY_SNAPSHOTS | ZBE_DESTROY_FORCE_UNMOUNT)) != ZBE_OK) {
			zbe_error_prepend(h, "%s: cannot undo the interrupted install or clone", zone);
		} else {
			zbe_zone_drop_clone_snapshot(h, &st, old);
			zbe_log(h, ZBE_LOG_WARN, "zone %s: an interrupted install or clone was undone", zone);
		}
		old = NULL;
	}
	if (err == ZBE_OK && old != NULL)
		err = zbe_fail(h, ZBE_EEXIST, zone, zbe_tree_find(&st.tree, j.rpool) != NULL
		    ? "zone already installed" : "dataset %s already exists", j.zpds);
	else if (err == ZBE_OK && st.host_uuid == NULL)
		err = zbe_fail(h, ZBE_ENOROOT, zone, "the running host boot environment has no uuid");
	/* under the lock: a boot of SOURCE takes it too */
	else if (err == ZBE_OK && snapshot == NULL && zbe_zone_is_running(h, source))
		err = zbe_fail(h, ZBE_EBUSY, source, "zone is running: halt it first, or clone a snapshot "
		    "of one of its boot environments: zoneadm -z %s clone -s ZBE@snapshot %s", zone, source);
	if (err == ZBE_OK)
		err = find_origin(h, &j, &st, source, snapshot);
	if (err == ZBE_OK && (err = make(h, &j, &st, &undo)) != ZBE_OK)
		zbe_undo_run(&undo, h);
unlock:
	zbe_unlock(h);
out:
	if (have_state)
		zbe_state_free(&st);
	zbe_undo_free(&undo);
	job_free(&j);
	return err;
}

void
zbe_zone_drop_clone_snapshot(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *zpds)
{
	const char *snap = zpds->clone_snap;
	size_t zl = strlen(zpds->name);

	if (snap == NULL || zbe_tree_find(&st->tree, snap) == NULL)
		return;
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		bool gone = strncmp(d->name, zpds->name, zl) == 0 && (d->name[zl] == '/' || d->name[zl] == '\0');
		if (!gone && d->origin != NULL && strcmp(d->origin, snap) == 0)
			return; /* another dataset was cloned from it since */
	}
	if (zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "destroy", snap, NULL) != ZBE_OK)
		zbe_log(h, ZBE_LOG_WARN, "%s: kept: %s", snap, zbe_errmsg(h));
}
