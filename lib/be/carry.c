/*
 * beadm create NEW on the host carries the zones along (the seed's
 * global-zone side): for every installed zone, the ZBE that belongs to
 * the source host BE is cloned into a new ZBE<n> with parentbe = NEW,
 * active=on.  create.c takes the snapshots (on OpenZFS those of the host
 * BE and of every zone at one instant).  activate.c promotes each
 * zone's ZBE of NEW; destroy.c destroys each zone's ZBEs of OLD.
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>

/* "ZBE<n+1>" for the highest ZBE<n> in the zone's container. */
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

/* zfs clone ZBE@snap to the zone's next ZBE<n>, for the new host BE. */
static zbe_err_t
clone_zbe(zbe_op_t *op, const char *rpool, const zbe_ds_t *src, const char *new_uuid, const char *snap)
{
	zbe_handle_t *h = op->h;
	const zbe_state_t *st = &op->st;
	zbe_undo_t *undo = &op->undo;
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
	zbe_journal_tag(op, &a);
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

zbe_err_t
zbe_zones_sources(zbe_handle_t *h, const zbe_state_t *st, const zbe_zone_containers_t *z,
    const char *src_uuid, const zbe_ds_t ***out)
{
	const zbe_ds_t **src = calloc(z->n + 1, sizeof(*src));

	*out = src;
	if (src == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	for (size_t i = 0; i < z->n; i++) {
		size_t count;
		const zbe_ds_t *d = zbe_zbe_of(st, z->containers[i], src_uuid, true, &count);
		if (count == 1)
			src[i] = d;
		else if (zbe_tree_find(&st->tree, z->containers[i]) != NULL)
			zbe_log(h, ZBE_LOG_WARN, "zone %s: %s active zone boot environment; not carried",
			    z->zones[i], count == 0 ? "no" : "more than one");
	}
	return ZBE_OK;
}

zbe_err_t
zbe_zones_carry(zbe_op_t *op, const zbe_ds_t *const *src, const char *new_uuid, const char *snap)
{
	zbe_err_t err = ZBE_OK;

	for (size_t i = 0; i < op->zones.n && err == ZBE_OK; i++)
		if (src[i] != NULL)
			err = clone_zbe(op, op->zones.containers[i], src[i], new_uuid, snap);
	return err;
}
