/* beadm create BE@snapshot: a recursive snapshot of the BE. */
#include "be.h"

#include <stdlib.h>

zbe_err_t
zbe_snapshot(zbe_handle_t *h, const char *be, const char *snap)
{
	zbe_op_t op;
	char *full = NULL;
	zbe_err_t err;

	if ((err = zbe_op_begin_snap(h, &op, be, snap, "snapshot")) != ZBE_OK)
		return zbe_op_end(&op, err);
	if ((full = zbe_asprintf("%s@%s", op.be->name, snap)) == NULL)
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	else if (zbe_tree_find(&op.st.tree, full) != NULL)
		err = zbe_fail(h, ZBE_EEXIST, full, "snapshot already exists");
	else
		err = zbe_zfs(h, ZBE_CMD_MUTATE, NULL, "snapshot", "-r", full, NULL);
	free(full);
	return zbe_op_end(&op, err);
}
