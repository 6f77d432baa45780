/*
 * beadm create: snapshot the source BE (unless a snapshot is given), clone
 * each of its datasets with every property given at clone time, so that a
 * reader never sees a BE without its uuid (or zone tags).  Any failure
 * undoes all that was done: no stray snapshot or clone.
 */
#include "be_ops.h"
#include "undo.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

static const char *const not_copied[] = { ZBE_PROPS_NOT_COPIED, NULL };

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* "property=value" given with -o: a plain property name, a printable value. */
static zbe_err_t
check_prop(zbe_handle_t *h, const char *pv)
{
	const char *eq = strchr(pv, '=');

	if (eq == NULL || eq == pv)
		return zbe_fail(h, ZBE_EINVAL, pv, "expected property=value");
	for (const char *p = pv; p < eq; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("_.:-", *p)))
			return zbe_fail(h, ZBE_EINVAL, pv, "invalid property name");
	for (const char *p = eq + 1; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return zbe_fail(h, ZBE_EINVAL, pv, "control character in value");
	char *name = strndup(pv, (size_t)(eq - pv));
	bool managed = name != NULL && in_list(not_copied, name);
	free(name);
	if (managed)
		return zbe_fail(h, ZBE_EINVAL, pv, "property is managed by beadm");
	return ZBE_OK;
}

zbe_err_t
zbe_new_uuid(char out[37])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
	return ZBE_OK;
}

/*
 * A snapshot name that no dataset in the tree has: UTC time and a serial.
 * Unique across the whole tree, not just the source BE, because a
 * promotion moves snapshots between BEs of one lineage, and two of the
 * same name would collide there.
 */
static char *
auto_snap_name(const zbe_state_t *st, const zbe_ds_t *be)
{
	char stamp[32], name[64];
	time_t now = time(NULL);
	struct tm tm;

	(void)be;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H:%M:%S", &tm);
	for (unsigned serial = 1;; serial++) {
		bool taken = false;
		snprintf(name, sizeof(name), "@%s-%u", stamp, serial);
		size_t nl = strlen(name);
		for (size_t i = 0; i < st->tree.n && !taken; i++) {
			const char *d = st->tree.ds[i].name;
			size_t dl = strlen(d);
			taken = st->tree.ds[i].snapshot && dl > nl && strcmp(d + dl - nl, name) == 0;
		}
		if (!taken)
			return strdup(name + 1);
	}
}

/* Locally set properties of the source's datasets: "dataset\tprop\tvalue". */
static zbe_err_t
read_local_props(zbe_handle_t *h, const char *root, char **text)
{
	return zbe_zfs(h, ZBE_CMD_READ, text, "get", "-H", "-r", "-s", "local", "-o",
	    "name,property,value", "all", root, NULL);
}

/* Add -o prop=value for each local property of dataset (source side). */
static void
add_local_props(zbe_argv_t *a, const char *text, const char *dataset)
{
	size_t dl = strlen(dataset);

	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (strncmp(p, dataset, dl) == 0 && p[dl] == '\t') {
			char *line = strndup(p + dl + 1, len - dl - 1);
			char *tab = line != NULL ? strchr(line, '\t') : NULL;
			if (tab != NULL) {
				*tab = '\0';
				if (!in_list(not_copied, line)) {
					zbe_argv_add(a, "-o");
					zbe_argv_addf(a, "%s=%s", line, tab + 1);
				}
			} else if (line == NULL) {
				a->oom = true;
			}
			free(line);
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
}

/* Resolve the source: a BE, and the snapshot to clone (NULL: make one). */
static zbe_err_t
find_source(zbe_handle_t *h, const zbe_state_t *st, const char *source,
    const zbe_ds_t **be, char **snap)
{
	*snap = NULL;
	if (source == NULL) {
		*be = st->running != NULL ? zbe_tree_find(&st->tree, st->running) : NULL;
		if (*be == NULL && h->scope == ZBE_SCOPE_ZONE)
			*be = zbe_zone_next_be(h, st);
		if (*be == NULL || !zbe_state_is_be(st, *be))
			return zbe_fail(h, ZBE_ENOROOT, "create",
			    "no running boot environment to clone; name one with -e");
		return ZBE_OK;
	}
	char *copy = strdup(source), *at;
	if (copy == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if ((at = strchr(copy, '@')) != NULL)
		*at++ = '\0';
	zbe_err_t err = ZBE_OK;
	if (!zbe_name_valid(copy) || (at != NULL && !zbe_name_valid(at)))
		err = zbe_fail(h, ZBE_ENAME, source, "invalid boot environment or snapshot name");
	else if ((*be = zbe_state_be(st, copy)) == NULL)
		err = zbe_fail(h, ZBE_ENOENT, copy, "no such boot environment");
	else if (at != NULL) {
		char *full = zbe_asprintf("%s@%s", (*be)->name, at);
		if (full == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		else if (zbe_tree_find(&st->tree, full) == NULL)
			err = zbe_fail(h, ZBE_ENOENT, source, "no such snapshot");
		else if ((*snap = strdup(at)) == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		free(full);
	}
	free(copy);
	return err;
}

/* Clone every dataset of src that has @snap into the new BE. */
static zbe_err_t
clone_be(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *src, const char *snap,
    bool fresh_snap, const char *newroot, const zbe_create_opts_t *o, const char *uuid,
    const char *local, zbe_undo_t *undo)
{
	size_t first, end, plen = strlen(src->name);
	zbe_err_t err = ZBE_OK;

	zbe_state_range(st, src, &first, &end);
	for (size_t i = first; i < end && err == ZBE_OK; i++) {
		const zbe_ds_t *d = &st->tree.ds[i];
		bool root = i == first;
		zbe_argv_t a = { 0 };
		char *origin, *target;

		if (d->snapshot)
			continue;
		origin = zbe_asprintf("%s@%s", d->name, snap);
		target = zbe_asprintf("%s%s", newroot, d->name + plen);
		if (origin == NULL || target == NULL) {
			free(origin);
			free(target);
			return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		}
		/* a child made after the given snapshot has nothing to clone */
		if (!fresh_snap && zbe_tree_find(&st->tree, origin) == NULL) {
			free(origin);
			free(target);
			continue;
		}
		zbe_argv_add(&a, h->conf.zfs);
		zbe_argv_add(&a, "clone");
		add_local_props(&a, local, d->name);
		zbe_argv_add(&a, "-o");
		zbe_argv_add(&a, "canmount=noauto");
		if (root) {
			zbe_argv_add(&a, "-o");
			zbe_argv_add(&a, "mountpoint=legacy");
			if (h->scope == ZBE_SCOPE_HOST) {
				zbe_argv_addf(&a, "-o");
				zbe_argv_addf(&a, "%s=%s", ZBE_PROP_UUID, uuid);
			} else {
				zbe_argv_add(&a, "-o");
				zbe_argv_addf(&a, "%s=%s", ZBE_PROP_PARENTBE, uuid);
				zbe_argv_add(&a, "-o");
				zbe_argv_addf(&a, "%s=off", ZBE_PROP_ACTIVE);
			}
			if (o->description != NULL) {
				zbe_argv_add(&a, "-o");
				zbe_argv_addf(&a, "%s=%s", ZBE_PROP_DESCRIPTION, o->description);
			}
			for (size_t k = 0; o->props != NULL && o->props[k] != NULL; k++) {
				zbe_argv_add(&a, "-o");
				zbe_argv_add(&a, o->props[k]);
			}
		}
		zbe_argv_add(&a, origin);
		zbe_argv_add(&a, target);
		err = zbe_run_argv(h, ZBE_CMD_MUTATE, &a, NULL);
		if (err == ZBE_OK && root)
			zbe_undo_zfs(undo, h, "destroy", "-r", target, NULL);
		free(origin);
		free(target);
	}
	return err;
}

zbe_err_t
zbe_create(zbe_handle_t *h, const zbe_create_opts_t *o)
{
	zbe_state_t st;
	zbe_undo_t undo = { 0 };
	zbe_zone_roots_t zones = { 0 };
	const zbe_ds_t *src = NULL;
	char *snap = NULL, *local = NULL, *newroot = NULL;
	char uuid[37];
	const char *parent_uuid;
	bool fresh = false;
	zbe_err_t err;

	if (!zbe_name_valid(o->name))
		return zbe_fail(h, ZBE_ENAME, o->name, "invalid boot environment name");
	if (o->description != NULL)
		for (const char *p = o->description; *p; p++)
			if ((unsigned char)*p < 0x20)
				return zbe_fail(h, ZBE_EINVAL, "description", "control character");
	for (size_t k = 0; o->props != NULL && o->props[k] != NULL; k++)
		if ((err = check_prop(h, o->props[k])) != ZBE_OK)
			return err;
	if ((err = zbe_policy_mutate(h)) != ZBE_OK)
		return err;
	if (h->scope == ZBE_SCOPE_HOST && (err = zbe_zone_roots(h, &zones)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		goto unlock;
	/* bootfs only matters to -a; the budget counts every command */
	err = zbe_state_read(h, &st, o->activate ? ZBE_STATE_BOOTFS : 0,
	    (const char *const *)zones.parents, zones.nparents);
	if (err != ZBE_OK)
		goto unlock;
	if (zbe_state_be(&st, o->name) != NULL) {
		err = zbe_fail(h, ZBE_EEXIST, o->name, "boot environment already exists");
		goto out;
	}
	if ((err = find_source(h, &st, o->source, &src, &snap)) != ZBE_OK)
		goto out;
	if ((err = zbe_policy_touch(h, &st, src, "create from")) != ZBE_OK)
		goto out;
	if (h->scope == ZBE_SCOPE_HOST) {
		zbe_new_uuid(uuid);
		parent_uuid = uuid;
	} else if ((parent_uuid = st.host_uuid) == NULL) {
		err = zbe_fail(h, ZBE_ENOROOT, "create", "the running host boot environment has no uuid");
		goto out;
	}
	if ((newroot = zbe_asprintf("%s/%s", st.container, o->name)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if ((err = read_local_props(h, src->name, &local)) != ZBE_OK)
		goto out;
	if (snap == NULL) {
		char *full, *autoprop;
		if ((snap = auto_snap_name(&st, src)) == NULL ||
		    (full = zbe_asprintf("%s@%s", src->name, snap)) == NULL) {
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
			goto out;
		}
		autoprop = zbe_asprintf("%s=on", ZBE_PROP_AUTO);
		err = autoprop == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "snapshot", "-r", "-o", autoprop, full, NULL);
		if (err == ZBE_OK)
			zbe_undo_zfs(&undo, h, "destroy", "-r", full, NULL);
		free(autoprop);
		free(full);
		if (err != ZBE_OK)
			goto out;
		fresh = true;
	}
	err = clone_be(h, &st, src, snap, fresh, newroot, o, parent_uuid, local, &undo);
	if (err == ZBE_OK && zones.n > 0) {
		/* a snapshot the user named is theirs: the zones get an automatic one */
		char *zsnap = fresh ? strdup(snap) : auto_snap_name(&st, src);
		err = zsnap == NULL ? zbe_fail(h, ZBE_ENOMEM, NULL, NULL)
		    : zbe_zones_carry(h, &st, &zones, src->uuid, uuid, zsnap, &undo);
		free(zsnap);
	}
	if (err == ZBE_OK && o->activate)
		err = zbe_activate_locked(h, &st, &zones, newroot, parent_uuid, &undo);
	if (err != ZBE_OK)
		zbe_undo_run(&undo, h);
out:
	zbe_undo_free(&undo);
	free(snap);
	free(local);
	free(newroot);
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
	zbe_zone_roots_free(&zones);
	return err;
}

zbe_err_t
zbe_snapshot(zbe_handle_t *h, const char *be, const char *snap)
{
	zbe_state_t st;
	const zbe_ds_t *d;
	zbe_err_t err;
	char *full = NULL;

	if (!zbe_name_valid(be))
		return zbe_fail(h, ZBE_ENAME, be, "invalid boot environment name");
	if (!zbe_name_valid(snap))
		return zbe_fail(h, ZBE_ENAME, snap, "invalid snapshot name");
	if ((err = zbe_policy_mutate(h)) != ZBE_OK)
		return err;
	if ((err = zbe_lock(h)) != ZBE_OK)
		return err;
	if ((err = zbe_state_read(h, &st, 0, NULL, 0)) != ZBE_OK)
		goto unlock;
	if ((d = zbe_state_be(&st, be)) == NULL)
		err = zbe_fail(h, ZBE_ENOENT, be, "no such boot environment");
	else if ((err = zbe_policy_touch(h, &st, d, "snapshot")) != ZBE_OK)
		;
	else if ((full = zbe_asprintf("%s@%s", d->name, snap)) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	else if (zbe_tree_find(&st.tree, full) != NULL)
		err = zbe_fail(h, ZBE_EEXIST, full, "snapshot already exists");
	else
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "snapshot", "-r", full, NULL);
	free(full);
	zbe_state_free(&st);
unlock:
	zbe_unlock(h);
	return err;
}
