/*
 * The journal of a multi-step operation, on the pool where a crash
 * cannot lose it: one "zfs set org.zbe:journal=<opid> <kind> <be> <arg>"
 * on the scope's BE container before the first change, one "zfs inherit"
 * after the last.  Whatever the operation makes in between carries
 * org.zbe:op=<opid>, given at creation, so no step leaves an untagged
 * dataset or snapshot.  A journal still set when the lock is next taken
 * means the command died: recover.c undoes or finishes it.  On OpenZFS
 * create sets it in the channel program that takes its snapshots
 * (create_instant.c), with zbe_journal_open and zbe_journal_value.
 */
#include "be.h"

#include <stdio.h>
#include <string.h>

void
zbe_journal_value(const zbe_op_t *op, const char *kind, const char *be, const char *arg, char *val,
    size_t len)
{
	snprintf(val, len, "%s %s %s %s", op->opid, kind, be, arg != NULL && *arg != '\0' ? arg : "-");
}

static zbe_err_t
set_journal(zbe_op_t *op, const char *kind, const char *be, const char *arg)
{
	char val[700];

	memcpy(val, ZBE_PROP_JOURNAL "=", sizeof(ZBE_PROP_JOURNAL "=") - 1);
	zbe_journal_value(op, kind, be, arg, val + sizeof(ZBE_PROP_JOURNAL "=") - 1,
	    sizeof(val) - (sizeof(ZBE_PROP_JOURNAL "=") - 1));
	return zbe_zfs(op->h, ZBE_CMD_MUTATE, NULL, "set", val, op->st.container, NULL);
}

void
zbe_journal_open(zbe_op_t *op)
{
	char uuid[37];

	zbe_new_uuid(uuid);
	snprintf(op->opid, sizeof(op->opid), "%s", uuid);
}

zbe_err_t
zbe_journal_begin(zbe_op_t *op, const char *kind, const char *be, const char *arg)
{
	zbe_err_t err;

	zbe_journal_open(op);
	if ((err = set_journal(op, kind, be, arg)) != ZBE_OK) {
		op->opid[0] = '\0';
		return err;
	}
	op->journaled = true;
	return ZBE_OK;
}

zbe_err_t
zbe_journal_switch(zbe_op_t *op, const char *kind, const char *be, const char *arg)
{
	return set_journal(op, kind, be, arg);
}

void
zbe_journal_tag(const zbe_op_t *op, zbe_argv_t *a)
{
	if (op->opid[0] == '\0')
		return;
	zbe_argv_add(a, "-o");
	zbe_argv_addf(a, "%s=%s", ZBE_PROP_OP, op->opid);
}

zbe_err_t
zbe_journal_clear(zbe_handle_t *h, const char *container)
{
	bool was = h->undoing;

	/* the last step of an operation, or of its undo: a signal waits for it */
	h->undoing = true;
	zbe_err_t err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "inherit", ZBE_PROP_JOURNAL, container, NULL);
	h->undoing = was;
	return err;
}
