/* zoneadm: shared between its files. */
#ifndef ZONEADM_H
#define ZONEADM_H

#include "zbe.h"

#include <stdio.h>
#include <sys/types.h>

/* Tell the library how to start a zone's broker and where the in-zone client is. */
void zoneadm_setup(zbe_handle_t *h);
/* zoneadm broker ZONE: serve the zone's delegation socket (started by boot). */
int zoneadm_broker(const char *zone, pid_t starter);

/* zoneadm -z zone attach [-x option]...; zoneadm -z zone move zonepath (attach_move.c). */
int zoneadm_attach(zbe_handle_t *h, const char *zone, int argc, char **argv);
int zoneadm_move(zbe_handle_t *h, const char *zone, int argc, char **argv);

#endif
