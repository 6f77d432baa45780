/*
 * Where a host BE may be given mountpoint=/.  On a real host system_root
 * is "/" and the layout is the one the boot paths look for.  A test world
 * or the demo has its own system_root: there "/" is safe only in a pool
 * imported with that altroot (zpool create -R / import -R), where zfs
 * puts the altroot in front of every mountpoint; in any other pool a BE
 * mounted at "/" would be mounted over the machine's own root.
 */
#include "be.h"

#include <stdlib.h>
#include <string.h>

/* a and b name the same directory, trailing slashes aside */
static bool
same_dir(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

unsigned
zbe_root_layout_flags(const zbe_handle_t *h)
{
	return h->scope == ZBE_SCOPE_HOST && !same_dir(h->conf.system_root, "/") ? ZBE_OP_BOOTFS : 0;
}

zbe_err_t
zbe_check_root_layout(zbe_handle_t *h, const zbe_state_t *st)
{
	const char *root = h->conf.system_root;

	if (zbe_root_layout_flags(h) == 0 || (st->altroot != NULL && same_dir(st->altroot, root)))
		return ZBE_OK;
	char *pool = zbe_pool_of(st->container);
	zbe_err_t err = zbe_fail(h, ZBE_EINVAL, pool != NULL ? pool : st->container,
	    "%s%s, but system_root is %s: a boot environment with mountpoint=/ would be mounted "
	    "over this machine's /; import the pool with zpool import -R %s",
	    st->altroot != NULL ? "the pool's altroot is " : "the pool has no altroot",
	    st->altroot != NULL ? st->altroot : "", root, root);
	free(pool);
	return err;
}
