/*
 * Host BE operations carry the zones along (the seed's global-zone side):
 *  - create NEW clones, for every installed zone, the ZBE that belongs to
 *    the source host BE into a new ZBE<n> with parentbe = NEW, active=on;
 *    all zones are snapshotted at one instant (one "zfs snapshot -r" over
 *    the common parent of those ZBEs), and the snapshots nobody cloned
 *    are destroyed at once, the cloned ones deferred ("destroy -d -r"),
 *    so they vanish with their last clone.  On zfs-fuse, where that
 *    recursive destroy wedges the pool, each zone's ZBE is snapshotted
 *    on its own instead (a snapshot and a clone per zone);
 *  - activate NEW promotes each zone's ZBE of NEW;
 *  - destroy OLD destroys each zone's ZBEs of OLD, promoting dependants.
 * Only zone configuration files and the mount table are read per zone;
 * the ZFS state of every zone comes from the operation's one tree read.
 */
#include "be_ops.h"
#include "zone_conf.h"

#include <stdlib.h>
#include <string.h>

void
zbe_zone_roots_free(zbe_zone_roots_t *z)
{
	zbe_strv_free(z->names);
	zbe_strv_free(z->rpools);
	zbe_strv_free(z->parents);
	memset(z, 0, sizeof(*z));
}

/* The <zpds>/rpool of every configured zone whose zonepath is on ZFS. */
zbe_err_t
zbe_zone_roots(zbe_handle_t *h, zbe_zone_roots_t *z)
{
	char **names = NULL;
	zbe_err_t err;

	memset(z, 0, sizeof(*z));
	if ((err = zbe_zone_names(h, &names)) != ZBE_OK)
		return err;
	size_t n = 0;
	while (names[n] != NULL)
		n++;
	z->names = calloc(n + 1, sizeof(char *));
	z->rpools = calloc(n + 1, sizeof(char *));
	z->parents = calloc(n + 1, sizeof(char *));
	if (z->names == NULL || z->rpools == NULL || z->parents == NULL) {
		zbe_strv_free(names);
		zbe_zone_roots_free(z);
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		zbe_zone_conf_t zc;
		char *zpds = NULL;
		if (zbe_zone_conf_read(h, names[i], &zc) != ZBE_OK)
			continue; /* a broken zone file must not block host operations */
		if (zbe_zone_dataset(h, &zc, &zpds) == ZBE_OK) {
			z->names[z->n] = strdup(names[i]);
			z->rpools[z->n] = zbe_asprintf("%s/rpool", zpds);
			z->n++;
			/* the mounted parent of <zpds> exists even before install */
			*strrchr(zpds, '/') = '\0';
			bool seen = false;
			for (size_t k = 0; k < z->nparents; k++)
				seen |= strcmp(z->parents[k], zpds) == 0;
			if (!seen)
				z->parents[z->nparents++] = strdup(zpds);
		}
		free(zpds);
		zbe_zone_conf_free(&zc);
	}
	zbe_clear_error(h);
	zbe_strv_free(names);
	return ZBE_OK;
}

/* The ZBE of rpool that parentbe uuid and active=on select, or NULL. */
static const zbe_ds_t *
zbe_for(const zbe_state_t *st, const char *rpool, const char *uuid, bool need_active, size_t *count)
{
	size_t rl = strlen(rpool);
	const zbe_ds_t *found = NULL;

	*count = 0;
	for (size_t i = 0; i < st->tree.n; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		if (d->snapshot || strncmp(d->name, rpool, rl) != 0 || d->name[rl] != '/' ||
		    strchr(d->name + rl + 1, '/') != NULL)
			continue;
		if (d->parentbe == NULL || uuid == NULL || strcmp(d->parentbe, uuid) != 0)
			continue;
		if (need_active && (d->active == NULL || strcmp(d->active, "on") != 0))
			continue;
		found = d;
		(*count)++;
	}
	return found;
}

/* "ZBE<n+1>" for the highest ZBE<n> in rpool. */
static char *
next_zbe_name(const zbe_state_t *st, const char *rpool)
{
	size_t rl = strlen(rpool);
	unsigned long max = 0;

	for (size_t i = 0; i < st->tree.n; i++) {
		const char *nm = st->tree.ds[i].name;
		char *end;
		if (strncmp(nm, rpool, rl) != 0 || strncmp(nm + rl, "/ZBE", 4) != 0)
			continue;
		unsigned long k = strtoul(nm + rl + 4, &end, 10);
		if (end != nm + rl + 4 && *end == '\0' && k > max)
			max = k;
	}
	return zbe_asprintf("%s/ZBE%lu", rpool, max + 1);
}

/* Longest common dataset prefix of a and b (whole components). */
static void
common_parent(char *acc, const char *b)
{
	size_t i = 0, last = 0;

	while (acc[i] != '\0' && acc[i] == b[i]) {
		i++;
		if (acc[i] == '/' || acc[i] == '\0')
			if (b[i] == '/' || b[i] == '\0')
				last = i;
	}
	acc[last] = '\0';
}

/* zfs clone ZBE@snap to the zone's next ZBE<n>, for the new host BE. */
static zbe_err_t
clone_zbe(zbe_handle_t *h, const zbe_state_t *st, const char *rpool, const zbe_ds_t *src,
    const char *new_uuid, const char *snap, zbe_undo_t *undo)
{
	char *target = next_zbe_name(st, rpool);
	char *origin = zbe_asprintf("%s@%s", src->name, snap);
	zbe_argv_t a = { 0 };
	zbe_err_t err;

	zbe_argv_add(&a, h->conf.zfs);
	zbe_argv_add(&a, "clone");
	zbe_argv_add(&a, "-o");
	zbe_argv_add(&a, "canmount=noauto");
	zbe_argv_add(&a, "-o");
	zbe_argv_add(&a, "mountpoint=legacy");
	zbe_argv_add(&a, "-o");
	zbe_argv_addf(&a, "%s=%s", ZBE_PROP_PARENTBE, new_uuid);
	zbe_argv_add(&a, "-o");
	zbe_argv_addf(&a, "%s=on", ZBE_PROP_ACTIVE);
	if (src->description != NULL) {
		zbe_argv_add(&a, "-o");
		zbe_argv_addf(&a, "%s=%s", ZBE_PROP_DESCRIPTION, src->description);
	}
	zbe_argv_add(&a, origin != NULL ? origin : "");
	zbe_argv_add(&a, target != NULL ? target : "");
	if (origin == NULL || target == NULL)
		a.oom = true;
	err = zbe_run_argv(h, ZBE_CMD_MUTATE, &a, NULL);
	if (err == ZBE_OK)
		zbe_undo_zfs(undo, h, "destroy", "-r", target, NULL);
	free(origin);
	free(target);
	return err;
}

/* zfs-fuse: a snapshot and a clone per zone, no recursive destroy. */
static zbe_err_t
carry_one_by_one(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_roots_t *z,
    const zbe_ds_t **src, const char *new_uuid, const char *snap, zbe_undo_t *undo)
{
	char *autoprop = zbe_asprintf("%s=on", ZBE_PROP_AUTO);
	zbe_err_t err = autoprop == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL) : ZBE_OK;

	for (size_t i = 0; i < z->n && err == ZBE_OK; i++) {
		if (src[i] == NULL)
			continue;
		char *full = zbe_asprintf("%s@%s", src[i]->name, snap);
		err = full == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "snapshot", "-o", autoprop, full, NULL);
		if (err == ZBE_OK) {
			zbe_undo_zfs(undo, h, "destroy", full, NULL);
			err = clone_zbe(h, st, z->rpools[i], src[i], new_uuid, snap, undo);
		}
		free(full);
	}
	free(autoprop);
	return err;
}

zbe_err_t
zbe_zones_carry(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_roots_t *z,
    const char *src_uuid, const char *new_uuid, const char *snap, zbe_undo_t *undo)
{
	const zbe_ds_t **src = calloc(z->n + 1, sizeof(*src));
	char *common = NULL, *full = NULL;
	zbe_err_t err = ZBE_OK;
	size_t nsrc = 0;

	if (src == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	for (size_t i = 0; i < z->n; i++) {
		size_t count;
		const zbe_ds_t *d = zbe_for(st, z->rpools[i], src_uuid, true, &count);
		if (count == 1) {
			src[i] = d;
			nsrc++;
		} else if (zbe_tree_find(&st->tree, z->rpools[i]) != NULL) {
			zbe_log(h, ZBE_LOG_WARN, "zone %s: %s active zone boot environment; not carried",
			    z->names[i], count == 0 ? "no" : "more than one");
		}
	}
	if (nsrc == 0)
		goto out;
	if (!h->drv->recursive_snapshot_destroy_ok) {
		err = carry_one_by_one(h, st, z, src, new_uuid, snap, undo);
		goto out;
	}
	for (size_t i = 0; i < z->n; i++) {
		if (src[i] == NULL)
			continue;
		if (common == NULL)
			common = strdup(src[i]->name);
		else
			common_parent(common, src[i]->name);
	}
	if (common == NULL || *common == '\0') {
		/* zones on different pools: not one instant; refuse rather than pretend */
		err = zbe_fail(h, ZBE_ENOTSUP, "create", "zones on more than one pool");
		goto out;
	}
	char *autoprop = zbe_asprintf("%s=on", ZBE_PROP_AUTO);
	full = zbe_asprintf("%s@%s", common, snap);
	if (autoprop == NULL || full == NULL) {
		free(autoprop);
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "snapshot", "-r", "-o", autoprop, full, NULL);
	free(autoprop);
	if (err != ZBE_OK)
		goto out;
	zbe_undo_zfs(undo, h, "destroy", "-r", full, NULL);
	for (size_t i = 0; i < z->n && err == ZBE_OK; i++)
		if (src[i] != NULL)
			err = clone_zbe(h, st, z->rpools[i], src[i], new_uuid, snap, undo);
	/* the snapshots no clone needs go now; the cloned ones with their clone */
	if (err == ZBE_OK)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "destroy", "-d", "-r", full, NULL);
out:
	free(src);
	free(common);
	free(full);
	return err;
}

zbe_err_t
zbe_zones_promote_for(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_roots_t *z,
    const char *uuid, zbe_undo_t *undo)
{
	zbe_err_t err = ZBE_OK;

	for (size_t i = 0; i < z->n && err == ZBE_OK; i++) {
		size_t count;
		const zbe_ds_t *d = zbe_for(st, z->rpools[i], uuid, true, &count);
		if (count == 1)
			err = zbe_promote_fully(h, st, d->name, undo);
	}
	return err;
}

zbe_err_t
zbe_zones_destroy_for(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_roots_t *z,
    const char *uuid, int flags)
{
	zbe_err_t err = ZBE_OK;

	for (size_t i = 0; i < z->n && err == ZBE_OK; i++) {
		size_t rl = strlen(z->rpools[i]);
		for (size_t j = 0; j < st->tree.n && err == ZBE_OK; j++) {
			const zbe_ds_t *d = &st->tree.ds[j];
			if (d->snapshot || strncmp(d->name, z->rpools[i], rl) != 0 || d->name[rl] != '/' ||
			    strchr(d->name + rl + 1, '/') != NULL || d->parentbe == NULL ||
			    strcmp(d->parentbe, uuid) != 0)
				continue;
			err = zbe_destroy_locked(h, st, d, flags | ZBE_DESTROY_FORCE_UNMOUNT);
		}
	}
	return err;
}
