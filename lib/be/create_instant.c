/*
 * The first change of beadm create on OpenZFS, in one channel program
 * (zfs/create.zcp): the journal, the automatic snapshot of every dataset
 * of the source BE and of each zone's source ZBE, and the read of the
 * source's locally set properties (which the clones carry).  One
 * transaction group, so the host BE and its zones are taken at one
 * instant and the journal lands with them or not at all; and one process
 * where the command sequence spends three.
 */
#include "be.h"
#include "create_zcp.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* The program's answer: {"return": {"local": TEXT}} or {"return": {"error": MSG}}. */
static zbe_err_t
read_result(zbe_handle_t *h, const char *out, char **local)
{
	json_object *root = out != NULL ? json_tokener_parse(out) : NULL, *ret = NULL, *v = NULL;
	zbe_err_t err = ZBE_OK;

	if (root == NULL || !json_object_object_get_ex(root, "return", &ret))
		err = zbe_fail(h, ZBE_EZFS, "create", "the channel program gave no result");
	else if (json_object_object_get_ex(ret, "error", &v))
		err = zbe_fail(h, ZBE_EZFS, "create", "%s; nothing was changed", json_object_get_string(v));
	else if (!json_object_object_get_ex(ret, "local", &v))
		err = zbe_fail(h, ZBE_EZFS, "create", "the channel program gave no result");
	else if ((*local = strdup(json_object_get_string(v))) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	json_object_put(root);
	return err;
}

/* Each snapshot is undone on its own (zfs destroy takes one dataset's). */
static void
undo_snapshots(zbe_op_t *op, const zbe_argv_t *names, const char *snap)
{
	for (size_t i = 0; i < names->n; i++) {
		char *full = zbe_asprintf("%s@%s", names->v[i], snap);
		if (full == NULL)
			op->undo.oom = true;
		else
			zbe_undo_zfs(&op->undo, op->h, "destroy", full, NULL);
		free(full);
	}
}

zbe_err_t
zbe_create_instant(zbe_op_t *op, const char *be_name, const zbe_ds_t *src, const zbe_ds_t **zones,
    const char *snap, char **local)
{
	zbe_handle_t *h = op->h;
	char *pool = zbe_pool_of(op->st.container), *path = NULL, *out = NULL;
	zbe_argv_t names = { 0 }, a = { 0 };
	char journal[600];
	size_t first, end;
	zbe_err_t err;

	if (pool == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	zbe_state_range(&op->st, src, &first, &end);
	for (size_t i = first; i < end; i++)
		if (!op->st.tree.ds[i].snapshot)
			zbe_argv_add(&names, op->st.tree.ds[i].name);
	/* the zones of this pool: the others are left to the caller */
	for (size_t i = 0; zones != NULL && i < op->zones.n; i++) {
		char *zp = zones[i] != NULL ? zbe_pool_of(zones[i]->name) : NULL;
		if (zp != NULL && strcmp(zp, pool) == 0) {
			zbe_argv_add(&names, zones[i]->name);
			zones[i] = NULL;
		}
		free(zp);
	}
	zbe_journal_open(op);
	zbe_journal_value(op, ZBE_JOURNAL_CREATE, be_name, NULL, journal, sizeof(journal));
	err = zbe_program_file(h, "create.zcp", zbe_create_zcp, &path);
	if (err == ZBE_OK) {
		zbe_program_argv(h, &a, pool, path);
		zbe_argv_addf(&a, "journal-on=%s", op->st.container);
		zbe_argv_addf(&a, "journal=%s", journal);
		zbe_argv_addf(&a, "read=%s", src->name);
		zbe_argv_addf(&a, "tag=%s=on", ZBE_PROP_AUTO);
		zbe_argv_addf(&a, "tag=%s=%s", ZBE_PROP_OP, op->opid);
		for (size_t i = 0; i < names.n; i++)
			zbe_argv_addf(&a, "snapshot=%s@%s", names.v[i], snap);
		a.oom |= names.oom;
		err = zbe_run_argv(h, ZBE_CMD_MUTATE, &a, &out);
		if (err == ZBE_OK && !h->dry_run) {
			err = read_result(h, out, local);
			if (err == ZBE_OK) {
				op->journaled = true;
				undo_snapshots(op, &names, snap);
			}
		} else if (err == ZBE_OK) {
			op->journaled = true;
		} else if (err != ZBE_ENOMEM) {
			/* the program failed as a whole: it may have run part of
			 * its changes (zfs-program(8)); whatever it took is tagged
			 * with the opid, and the journal, if it is there, has the
			 * next command undo it */
			op->journaled = true;
			undo_snapshots(op, &names, snap);
		}
	}
	if (err != ZBE_OK && !op->journaled)
		op->opid[0] = '\0';
	zbe_argv_free(&names);
	free(out);
	free(path);
	free(pool);
	return err;
}
