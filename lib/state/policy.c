/*
 * The zone policy.  In the host scope and for the global administrator
 * (beadm -z) everything is allowed that beadm's own rules allow.  A zone,
 * through its broker, may change only ZBEs that belong to the running
 * host BE, and nothing at all when the administrator set be-ops=deny.
 * Names cannot escape the zone's container: every BE name is validated
 * and joined to the container by the library, never taken as a dataset.
 */
#include "state.h"

#include <string.h>

zbe_err_t
zbe_policy_mutate(zbe_handle_t *h)
{
	if (h->scope == ZBE_SCOPE_ZONE && h->policy == ZBE_POLICY_ZONE && h->be_ops_deny)
		return zbe_fail(h, ZBE_EPERM, h->zone,
		    "the global administrator disabled boot environment operations for this zone");
	return ZBE_OK;
}

zbe_err_t
zbe_policy_touch(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be, const char *verb)
{
	if (h->scope != ZBE_SCOPE_ZONE || h->policy != ZBE_POLICY_ZONE)
		return ZBE_OK;
	if (zbe_state_foreign(h, st, be))
		return zbe_fail(h, ZBE_EPERM, zbe_be_name(st, be),
		    "cannot %s: it belongs to another host boot environment", verb);
	return ZBE_OK;
}

zbe_err_t
zbe_find_be(zbe_handle_t *h, const zbe_state_t *st, const char *name, const zbe_ds_t **out)
{
	if (!zbe_name_valid(name))
		return zbe_fail(h, ZBE_ENAME, name, "invalid boot environment name");
	if ((*out = zbe_state_be(st, name)) == NULL)
		return zbe_fail(h, ZBE_ENOENT, name, "no such boot environment");
	return ZBE_OK;
}
