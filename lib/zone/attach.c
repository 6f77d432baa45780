/*
 * zoneadm attach [-x attach-last-booted-zbe] [-x destroy-orphan-zbes].
 * Solaris 11's rules for the zone boot environment the attached zone
 * boots:
 *  - the ZBE that belongs to the running host BE and is active, if there
 *    is one (unless attach-last-booted-zbe);
 *  - otherwise the one the zone booted last (org.zbe:last-booted on its
 *    rpool, which boot records; without it, the newest active ZBE, else
 *    the newest ZBE): it is re-tagged for the running host BE and made
 *    active, and a ZBE that was active for it is switched off.  Solaris
 *    clones it instead unless deny-zbe-clone; zbe re-tags (a host BE's
 *    create already clones the ZBEs it needs), so deny-zbe-clone is
 *    what attach always does.
 * ZBEs tagged for host BEs that do not exist here are orphans: named in a
 * warning and kept (beadm -z Z list flags them O), or destroyed with
 * destroy-orphan-zbes.
 *
 * A zone copied from another host keeps the owners its files had there:
 * when the zonepath's owner (the zone's root there) is not the zone's
 * root here, every ZBE's files are moved from that range into this one.
 *
 * Crash safety: <zpds> stays marked detached until the last step, so a
 * zone whose attach was killed half-way does not boot; each step is
 * idempotent and the next attach makes the same choice again (the re-tag
 * converges on the same ZBE), then finishes.  The zonepath is given to
 * the zone's root last of all but the mark: its owner is how a second
 * attach knows the files still need moving.
 */
#include "zone.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool
is_on(const zbe_ds_t *d)
{
	return d->active != NULL && strcmp(d->active, "on") == 0;
}

static bool
newer(const zbe_ds_t *a, const zbe_ds_t *b)
{
	return b == NULL || a->createtxg > b->createtxg;
}

/* The ZBE the zone booted last: as recorded, else the newest active one,
 * else the newest. */
static const zbe_ds_t *
last_booted(zbe_handle_t *h, const zbe_state_t *st)
{
	const zbe_ds_t *c = zbe_tree_find(&st->tree, h->container), *d;
	const zbe_ds_t *on = NULL, *any = NULL;

	if (c != NULL && c->last_booted != NULL && zbe_name_valid(c->last_booted) &&
	    (d = zbe_state_be(st, c->last_booted)) != NULL && !zbe_state_incomplete(st, d))
		return d;
	for (size_t i = 0; i < st->tree.n; i++) {
		d = &st->tree.ds[i];
		if (!zbe_state_is_be(st, d) || zbe_state_incomplete(st, d))
			continue;
		if (is_on(d) && newer(d, on))
			on = d;
		if (newer(d, any))
			any = d;
	}
	return on != NULL ? on : any;
}

static zbe_err_t
set_prop(zbe_handle_t *h, const char *prop, const char *value, const char *ds)
{
	char *kv = zbe_asprintf("%s=%s", prop, value);
	zbe_err_t err = kv == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
	    : zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", kv, ds, NULL);

	free(kv);
	return err;
}

/* Move the files of every ZBE from the range old_base into the zone's. */
static zbe_err_t
shift_all(zbe_handle_t *h, const zbe_zone_conf_t *zc, const zbe_state_t *st, uint32_t old_base)
{
	char *root = zbe_asprintf("%s/root", zc->zonepath);
	uint32_t *others = NULL;
	size_t n = 0;
	zbe_err_t err = root == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL) : zbe_zone_ids_others(h, zc->name, &others, &n);

	if (err == ZBE_OK) {
		uint32_t *v = realloc(others, (n + 1) * sizeof(*v));
		if (v == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		else
			(others = v)[n++] = old_base;
	}
	/* left mounted by an attach that was killed */
	if (err == ZBE_OK && st->zone_running != NULL)
		err = zbe_unmount_tree(h, st->zone_running, true);
	if (err == ZBE_OK)
		err = zbe_mkdir_p(h, root);
	for (size_t i = 0; i < st->tree.n && err == ZBE_OK; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (!zbe_state_is_be(st, d) || zbe_state_incomplete(st, d))
			continue;
		if ((err = zbe_drv(h)->mount(h, d, root, true)) != ZBE_OK)
			break;
		err = zbe_image_shift_ids(h, root, zc->id_base, others, n, NULL);
		zbe_err_t e2 = zbe_unmount_tree(h, d->name, err != ZBE_OK);
		err = err != ZBE_OK ? err : e2;
	}
	free(others);
	free(root);
	return err != ZBE_OK ? zbe_error_prepend(h, "%s: cannot give the files to the zone's ids", zc->name) : ZBE_OK;
}

/* Tag chosen for the running host BE and switch it on; cur (the one that
 * was active for it, when another) off. */
static zbe_err_t
retag(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *chosen, const zbe_ds_t *cur)
{
	zbe_err_t err = ZBE_OK;

	if (cur != NULL && cur != chosen)
		err = set_prop(h, ZBE_PROP_ACTIVE, "off", cur->name);
	if (err == ZBE_OK && (chosen->parentbe == NULL || strcmp(chosen->parentbe, st->host_uuid) != 0))
		err = set_prop(h, ZBE_PROP_PARENTBE, st->host_uuid, chosen->name);
	if (err == ZBE_OK && !is_on(chosen))
		err = set_prop(h, ZBE_PROP_ACTIVE, "on", chosen->name);
	return err;
}

/* The orphans after the re-tag: ZBEs of no host BE here (chosen is not one now). */
static size_t
orphans(const zbe_state_t *st, const zbe_ds_t *chosen, char ***names)
{
	size_t n = 0;

	*names = calloc(st->tree.n + 1, sizeof(**names));
	for (size_t i = 0; i < st->tree.n && *names != NULL; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (zbe_state_is_be(st, d) && d != chosen && zbe_state_host_be_by_uuid(st, d->parentbe) == NULL)
			(*names)[n++] = (char *)zbe_be_name(st, d);
	}
	return n;
}

static zbe_err_t
destroy_orphans(zbe_handle_t *h, zbe_state_t *st, char **names, size_t n)
{
	zbe_err_t err = ZBE_OK;
	char **copy = calloc(n + 1, sizeof(*copy));

	if (copy == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		if ((copy[i] = strdup(names[i])) == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	/* a destroy promotes clones and changes origins: read afresh for each */
	for (size_t i = 0; i < n && err == ZBE_OK; i++) {
		zbe_state_free(st);
		if ((err = zbe_state_read(h, st, 0, NULL, 0)) != ZBE_OK)
			break;
		const zbe_ds_t *d = zbe_state_be(st, copy[i]);
		if (d != NULL && (err = zbe_destroy_locked(h, st, d, ZBE_DESTROY_SNAPSHOTS |
		    ZBE_DESTROY_FORCE_UNMOUNT)) != ZBE_OK)
			zbe_error_prepend(h, "%s: cannot destroy the orphan %s", h->zone, copy[i]);
	}
	zbe_strv_free(copy);
	return err;
}

static zbe_err_t
attach_locked(zbe_handle_t *h, const zbe_zone_conf_t *zc, const char *zpds, zbe_state_t *st, unsigned flags)
{
	const zbe_ds_t *d = zbe_tree_find(&st->tree, zpds);
	struct stat sb;
	size_t count;
	zbe_err_t err;

	if (d == NULL || zbe_tree_find(&st->tree, h->container) == NULL)
		return zbe_fail(h, ZBE_EZONE, zc->name, "no zone at %s (no dataset %s/rpool)", zc->zonepath, zpds);
	if (d->incomplete)
		return zbe_fail(h, ZBE_EZONE, zc->name, "zone is incomplete: its install was interrupted");
	if (d->move_to != NULL)
		return zbe_fail(h, ZBE_EZONE, zc->name, "zone is being moved to %s: zoneadm -z %s move %s again "
		    "finishes it", d->move_to, zc->name, d->move_to);
	if (!d->detached)
		return zbe_fail(h, ZBE_EZONE, zc->name, "zone is attached already (a copy from elsewhere that "
		    "was not detached: zoneadm -z %s detach, then attach)", zc->name);
	if (zbe_zone_is_running(h, zc->name))
		return zbe_fail(h, ZBE_EBUSY, zc->name, "zone is running");
	if (st->host_uuid == NULL)
		return zbe_fail(h, ZBE_ENOROOT, zc->name, "the running host boot environment has no uuid");
	if (lstat(zc->zonepath, &sb) != 0)
		return zbe_fail(h, ZBE_EZONE, zc->zonepath, "%s", strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return zbe_fail(h, ZBE_EZONE, zc->zonepath, "not a directory");

	const zbe_ds_t *cur = zbe_zbe_of(st, h->container, st->host_uuid, true, &count);
	if (count > 1)
		return zbe_zone_select(h, st, &cur);
	const zbe_ds_t *chosen = cur != NULL && !(flags & ZBE_ATTACH_LAST_BOOTED) ? cur : last_booted(h, st);
	if (chosen == NULL)
		return zbe_fail(h, ZBE_EZONE, zc->name, "zone has no boot environment to attach");
	char *chosen_name = strdup(zbe_be_name(st, chosen));
	if (chosen_name == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);

	err = ZBE_OK;
	if (sb.st_uid != zc->id_base && !h->dry_run)
		err = shift_all(h, zc, st, (uint32_t)sb.st_uid);
	if (err == ZBE_OK)
		err = retag(h, st, chosen, cur);
	if (err == ZBE_OK) {
		/* the tags as they are now, for the orphans */
		zbe_state_free(st);
		err = zbe_state_read(h, st, 0, NULL, 0);
	}
	if (err == ZBE_OK) {
		char **names = NULL;
		const zbe_ds_t *c = zbe_state_be(st, chosen_name);
		size_t n = orphans(st, c, &names);
		if (names == NULL) {
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		} else if (n > 0 && (flags & ZBE_ATTACH_DESTROY_ORPHANS)) {
			err = destroy_orphans(h, st, names, n);
		} else if (n > 0) {
			char list[512] = "";
			for (size_t i = 0; i < n; i++) {
				size_t l = strlen(list);
				snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "", names[i]);
			}
			zbe_log(h, ZBE_LOG_WARN, "%s: orphan zone boot environments (of no host boot environment "
			    "here) kept: %s; zoneadm -z %s attach -x destroy-orphan-zbes destroys them",
			    zc->name, list, zc->name);
		}
		free(names);
	}
	if (err == ZBE_OK && !h->dry_run)
		err = zbe_zone_own_zonepath(h, zc);
	if (err == ZBE_OK)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "inherit", ZBE_PROP_ZONESTATE, zpds, NULL);
	free(chosen_name);
	return err;
}

zbe_err_t
zbe_zone_attach(zbe_handle_t *h, const char *zone, unsigned flags)
{
	zbe_zone_conf_t zc;
	zbe_state_t st;
	char *zpds = NULL;
	zbe_err_t err;

	if ((err = zbe_zone_conf_dataset(h, zone, &zc, &zpds)) != ZBE_OK)
		return err;
	if (!zc.has_id_base) {
		err = zbe_fail(h, ZBE_ECONFIG, zone, "the zone has no id range (configured by an earlier version): "
		    "zonecfg -z %s set id-base=auto", zone);
		goto conf;
	}
	if ((err = zbe_zone_admin_scope(h, zone)) != ZBE_OK)
		goto conf;
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
	if (err == ZBE_EZONE)
		err = zbe_fail(h, ZBE_EZONE, zone, "no zone at %s (no dataset %s/rpool)", zc.zonepath, zpds);
	if (err != ZBE_OK)
		goto unlock;
	err = attach_locked(h, &zc, zpds, &st, flags);
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
conf:
	free(zpds);
	zbe_zone_conf_free(&zc);
	return err;
}
