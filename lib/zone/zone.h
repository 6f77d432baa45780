/*
 * Layer 5, zone operations: zonecfg's changes (configure.c), zoneadm
 * list, install, uninstall, boot and ready, halt, the pre-start hook of
 * a zone's container, zlogin, and the zone's broker process (broker.c).
 * Calls every layer below.
 */
#ifndef ZBE_ZONE_H
#define ZBE_ZONE_H

#include "be.h"

/* Start "<broker argv> <zone>" detached and wait for its socket. */
zbe_err_t zbe_broker_start(zbe_handle_t *h, const char *zone);
/* Stop the zone's broker (the one its lock names, also when the pid file
 * is missing) and remove its socket and run directory.  True if one ran. */
bool zbe_broker_stop(zbe_handle_t *h, const char *zone);

/* Left in the zone's run directory by boot for the pre-start hook of the
 * start it makes: the root boot has just selected needs no second look
 * (and no second zfs call). */
#define ZBE_ZONE_FRESH_START "fresh-start"

#endif
