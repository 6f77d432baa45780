/*
 * beadm create: snapshot the source BE (unless a snapshot is given), clone
 * each of its datasets with every property given at clone time, so that a
 * reader never sees a BE without its uuid (or zone tags).  Any failure
 * undoes all that was done: no stray snapshot or clone.
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const not_copied[] = { ZBE_PROPS_NOT_COPIED, ZBE_PROPS_NOT_INHERITED, NULL };
static const char *const managed[] = { ZBE_PROPS_NOT_COPIED, NULL };
static const char *const zone_allowed[] = { ZBE_PROPS_ZONE_ALLOWED, NULL };

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
	if (name == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	bool is_managed = in_list(managed, name);
	/* a request from inside a zone: the zone must not take the host's
	 * space or expose or move its datasets (zbe_props.h says which) */
	bool refused = h->policy == ZBE_POLICY_ZONE && !in_list(zone_allowed, name);
	free(name);
	if (is_managed)
		return zbe_fail(h, ZBE_EINVAL, pv, "property is managed by beadm");
	if (refused)
		return zbe_fail(h, ZBE_EPERM, pv, "a zone may not set this property");
	return ZBE_OK;
}

/*
 * A snapshot name that no dataset in the tree has: UTC time and a serial.
 * Unique across the whole tree, not just the source BE, because a
 * promotion moves snapshots between BEs of one lineage, and two of the
 * same name would collide there.
 */
static char *
auto_snap_name(const zbe_state_t *st)
{
	char stamp[32], name[64];
	time_t now = time(NULL);
	struct tm tm;

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

/* The loader's kernel command line of the source without its root= words
 * (the new BE is not the source's root); nothing when none is left. */
static void
add_commandline(zbe_argv_t *a, const char *value)
{
	char *out = calloc(1, strlen(value) + 1);
	size_t n = 0;

	if (out == NULL) {
		a->oom = true;
		return;
	}
	for (const char *p = value; *p != '\0';) {
		size_t sp = strspn(p, " \t"), len;
		p += sp;
		len = strcspn(p, " \t");
		if (len > 0 && strncmp(p, "root=", 5) != 0) {
			if (n > 0)
				out[n++] = ' ';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	if (n > 0) {
		zbe_argv_add(a, "-o");
		zbe_argv_addf(a, "%s=%s", ZBE_PROP_ZBM_COMMANDLINE, out);
	}
	free(out);
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
				if (strcmp(line, ZBE_PROP_ZBM_COMMANDLINE) == 0)
					add_commandline(a, tab + 1);
				else if (!in_list(not_copied, line)) {
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

/*
 * The mountpoint a new BE root is cloned with: zbe's layout (a host BE at
 * "/", a zone's legacy; the children inherit it, a source's own mountpoint
 * is never copied).  Where a clone mounts itself whatever canmount says
 * (zfs-fuse), a host BE is cloned legacy and given "/" once all of it is
 * there (set_layout), or it would be mounted over the running root.
 */
static const char *
clone_mountpoint(zbe_handle_t *h)
{
	if (h->scope != ZBE_SCOPE_HOST || zbe_drv(h)->clone_mounts)
		return ZBE_MOUNTPOINT_LEGACY;
	return ZBE_MOUNTPOINT_ROOT;
}

static zbe_err_t
set_layout(zbe_handle_t *h, const char *newroot)
{
	if (h->scope != ZBE_SCOPE_HOST || strcmp(clone_mountpoint(h), ZBE_MOUNTPOINT_ROOT) == 0)
		return ZBE_OK;
	return zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "set", ZBE_PROP_MOUNTPOINT "=" ZBE_MOUNTPOINT_ROOT, newroot,
	    NULL);
}

/* Clone every dataset of src that has @snap into the new BE. */
static zbe_err_t
clone_be(zbe_op_t *op, const zbe_ds_t *src, const char *snap, bool fresh_snap, const char *newroot,
    const zbe_create_opts_t *o, const char *uuid, const char *local)
{
	zbe_handle_t *h = op->h;
	const zbe_state_t *st = &op->st;
	zbe_undo_t *undo = &op->undo;
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
		zbe_journal_tag(op, &a);
		if (root) {
			zbe_argv_add(&a, "-o");
			zbe_argv_addf(&a, "%s=%s", ZBE_PROP_MOUNTPOINT, clone_mountpoint(h));
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
			/* a zone's request comes through a broker child that exits at
			 * once: its pid would say the update died */
			if (o->pending && h->policy != ZBE_POLICY_ZONE) {
				char *mark = zbe_pending_value();
				zbe_argv_add(&a, "-o");
				zbe_argv_addf(&a, "%s=%s", ZBE_PROP_PENDING, mark != NULL ? mark : "run");
				free(mark);
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
	return err == ZBE_OK ? set_layout(h, newroot) : err;
}

/*
 * zbe's automatic snapshot @snap of the source BE (with its children, when
 * be is not NULL) and of each zone's source ZBE, tagged org.zbe:auto=on.
 * On OpenZFS one "zfs snapshot" per pool takes them all in one
 * transaction group: the host BE and its zones at one instant.  zfs-fuse
 * takes one dataset per command (the BE's children with -r).
 */
static zbe_err_t
snapshot_instant(zbe_op_t *op, const zbe_ds_t *be, const zbe_ds_t *const *zones, const char *snap)
{
	zbe_handle_t *h = op->h;
	zbe_argv_t names = { 0 };
	zbe_err_t err = ZBE_OK;
	bool multi = zbe_drv(h)->multi_snapshot;
	size_t first = 0, end = 0;

	if (be != NULL && multi)
		zbe_state_range(&op->st, be, &first, &end);
	for (size_t i = first; i < end; i++)
		if (!op->st.tree.ds[i].snapshot)
			zbe_argv_add(&names, op->st.tree.ds[i].name);
	if (be != NULL && !multi)
		zbe_argv_add(&names, be->name);
	for (size_t i = 0; zones != NULL && i < op->zones.n; i++)
		if (zones[i] != NULL)
			zbe_argv_add(&names, zones[i]->name);
	if (names.oom)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	for (size_t i = 0; err == ZBE_OK && i < names.n;) {
		/* multi: every name of this pool in one command; else one name (-r for the BE) */
		char *pool = zbe_pool_of(names.v[i]);
		zbe_argv_t a = { 0 };
		size_t took = 0;
		zbe_argv_add(&a, h->conf.zfs);
		zbe_argv_add(&a, "snapshot");
		if (!multi && be != NULL && strcmp(names.v[i], be->name) == 0)
			zbe_argv_add(&a, "-r");
		zbe_argv_add(&a, "-o");
		zbe_argv_addf(&a, "%s=on", ZBE_PROP_AUTO);
		zbe_journal_tag(op, &a);
		for (size_t k = i; k < names.n && (took == 0 || multi); k++) {
			char *kp = zbe_pool_of(names.v[k]);
			bool same = pool != NULL && kp != NULL && strcmp(kp, pool) == 0;
			free(kp);
			if (!same)
				break;
			zbe_argv_addf(&a, "%s@%s", names.v[k], snap);
			took++;
		}
		free(pool);
		a.oom |= took == 0;
		if ((err = zbe_run_argv(h, ZBE_CMD_MUTATE, &a, NULL)) != ZBE_OK)
			break;
		/* undone one snapshot at a time (zfs destroy takes one dataset's) */
		for (size_t k = i; k < i + took; k++) {
			char *full = zbe_asprintf("%s@%s", names.v[k], snap);
			bool recursive = !multi && be != NULL && strcmp(names.v[k], be->name) == 0;
			if (full == NULL)
				op->undo.oom = true;
			else if (recursive)
				zbe_undo_zfs(&op->undo, h, "destroy", "-r", full, NULL);
			else
				zbe_undo_zfs(&op->undo, h, "destroy", full, NULL);
			free(full);
		}
		i += took;
	}
	zbe_argv_free(&names);
	return err;
}

static zbe_err_t
check_opts(zbe_handle_t *h, const zbe_create_opts_t *o)
{
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
	return ZBE_OK;
}

zbe_err_t
zbe_create(zbe_handle_t *h, const zbe_create_opts_t *o)
{
	zbe_op_t op;
	const zbe_ds_t *src = NULL;
	char *snap = NULL, *local = NULL, *newroot = NULL;
	const zbe_ds_t **zsrc = NULL, **rest = NULL;
	char uuid[37];
	const char *parent_uuid = NULL;
	bool fresh = false, multi = false, instant = false;
	zbe_err_t err;

	if ((err = check_opts(h, o)) != ZBE_OK)
		return err;
	/* bootfs only matters to -a; the layout check (the altroot, read with
	 * bootfs, where system_root is not "/") to a create that mounts the new
	 * BE: -a looks at its /boot, and zfs-fuse's clone mounts a clone.  On
	 * OpenZFS the clone is made canmount=noauto and mounts nowhere, so a
	 * plain create reads no pool property.  The budget counts every command. */
	unsigned flags = ZBE_OP_ZONES;
	if (o->activate)
		flags |= ZBE_OP_BOOTFS | ZBE_OP_LAYOUT;
	if (zbe_drv(h)->clone_mounts)
		flags |= ZBE_OP_LAYOUT;
	if ((err = zbe_op_begin(h, &op, flags, NULL, NULL)) != ZBE_OK)
		return zbe_op_end(&op, err);
	if (zbe_state_be(&op.st, o->name) != NULL)
		err = zbe_fail(h, ZBE_EEXIST, o->name, "boot environment already exists");
	else if ((err = find_source(h, &op.st, o->source, &src, &snap)) == ZBE_OK)
		err = zbe_policy_touch(h, &op.st, src, "create from");
	if (err == ZBE_OK)
		err = zbe_refuse_incomplete(h, &op.st, src);
	if (err == ZBE_OK && h->scope == ZBE_SCOPE_HOST) {
		zbe_new_uuid(uuid);
		parent_uuid = uuid;
	} else if (err == ZBE_OK && (parent_uuid = op.st.host_uuid) == NULL) {
		err = zbe_fail(h, ZBE_ENOROOT, "create", "the running host boot environment has no uuid");
	}
	if (err == ZBE_OK && (newroot = zbe_asprintf("%s/%s", op.st.container, o->name)) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	/* OpenZFS, a snapshot of zbe's: the read, the journal and the snapshots in one program */
	instant = snap == NULL && zbe_drv(h)->channel_programs && zbe_drv(h)->multi_snapshot;
	/* a dry run only reports the program: the clones it plans need the read */
	if (err == ZBE_OK && (!instant || h->dry_run))
		err = read_local_props(h, src->name, &local);
	if (err == ZBE_OK && op.zones.n > 0)
		err = zbe_zones_sources(h, &op.st, &op.zones, src->uuid, &zsrc);
	if (err == ZBE_OK && instant) {
		multi = fresh = true;
		if ((snap = auto_snap_name(&op.st)) == NULL ||
		    (op.zones.n > 0 && (rest = calloc(op.zones.n, sizeof(*rest))) == NULL))
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		for (size_t i = 0; err == ZBE_OK && zsrc != NULL && i < op.zones.n; i++)
			rest[i] = zsrc[i];
		if (err == ZBE_OK)
			err = zbe_create_instant(&op, o->name, src, rest, snap, &local);
		/* zones in other pools: their own snapshot, under the journal */
		bool other = false;
		for (size_t i = 0; err == ZBE_OK && rest != NULL && i < op.zones.n; i++)
			other |= rest[i] != NULL;
		if (err == ZBE_OK && other)
			err = snapshot_instant(&op, NULL, rest, snap);
	}
	/* checked: from here on a kill leaves a journal the next command undoes */
	if (err == ZBE_OK && !instant)
		err = zbe_journal_begin(&op, ZBE_JOURNAL_CREATE, o->name, NULL);
	if (err == ZBE_OK && snap == NULL) {
		/* the BE and (OpenZFS) every zone at one instant */
		multi = zbe_drv(h)->multi_snapshot;
		if ((snap = auto_snap_name(&op.st)) == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		else
			err = snapshot_instant(&op, src, multi ? zsrc : NULL, snap);
		fresh = true;
	}
	if (err == ZBE_OK)
		err = clone_be(&op, src, snap, fresh, newroot, o, parent_uuid, local);
	if (err == ZBE_OK && zsrc != NULL) {
		/* a snapshot the user named is theirs: the zones get an automatic one */
		char *zsnap = fresh ? strdup(snap) : auto_snap_name(&op.st);
		if (zsnap == NULL)
			err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		else if (!(fresh && multi))
			err = snapshot_instant(&op, NULL, zsrc, zsnap);
		if (err == ZBE_OK)
			err = zbe_zones_carry(&op, zsrc, uuid, zsnap);
		free(zsnap);
	}
	/* made whole: an interrupted activation is finished, not undone */
	if (err == ZBE_OK && o->activate)
		err = zbe_journal_switch(&op, ZBE_JOURNAL_ACTIVATE, o->name, NULL);
	if (err == ZBE_OK && o->activate)
		err = zbe_activate_locked(h, &op.st, &op.zones, newroot, parent_uuid, &op.undo);
	free(zsrc);
	free(rest);
	free(snap);
	free(local);
	free(newroot);
	return zbe_op_end(&op, err);
}

zbe_err_t
zbe_run_done(zbe_handle_t *h, const char *name)
{
	zbe_op_t op;
	zbe_err_t err = zbe_op_begin(h, &op, 0, name, "finish the update of");

	if (err == ZBE_OK && op.be->pending != NULL)
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "inherit", ZBE_PROP_PENDING, op.be->name, NULL);
	return zbe_op_end(&op, err);
}
