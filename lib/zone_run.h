/* Where a zone's runtime state lives, and its broker (zone_boot.c). */
#ifndef ZBE_ZONE_RUN_H
#define ZBE_ZONE_RUN_H

#include "zbe_impl.h"

/* <run_dir>/lxc: the LXC containers of the zones */
char *zbe_zone_lxcpath(zbe_handle_t *h);
/* <run_dir>/zones/<zone>/sock: bind-mounted into the zone at ZBE_ZONE_SOCKDIR */
char *zbe_zone_sockdir(zbe_handle_t *h, const char *zone);
#define ZBE_ZONE_SOCKDIR "/var/run/zbe"
#define ZBE_ZONE_SOCKNAME "beadm.sock"

bool zbe_zone_is_running(zbe_handle_t *h, const char *zone);
/* Is something from ZFS mounted at the zone's <zonepath>/root? */
bool zbe_zone_root_mounted(zbe_handle_t *h, const char *zone);
zbe_zone_state_t zbe_zone_state_of(zbe_handle_t *h, const zbe_tree_t *t, const char *zone,
    const char *zpds);

#endif
