/*
 * Zone configuration: one file per zone, <zones_dir>/<zone>.conf, with
 * "key=value" lines.  zones_dir lies inside the running host BE, so each
 * host BE carries its own zone configuration (zone_conf.c).
 */
#ifndef ZBE_ZONE_CONF_H
#define ZBE_ZONE_CONF_H

#include "zbe_impl.h"

typedef struct zbe_zone_conf {
	char *name;
	char *zonepath;
	bool autoboot;
	bool be_ops_deny;
	char *init;
	char *uuid;      /* the zone's own uuid, made at configure time */
} zbe_zone_conf_t;

zbe_err_t zbe_zone_conf_read(zbe_handle_t *h, const char *zone, zbe_zone_conf_t *zc);
zbe_err_t zbe_zone_conf_write(zbe_handle_t *h, const zbe_zone_conf_t *zc);
zbe_err_t zbe_zone_conf_set(zbe_handle_t *h, zbe_zone_conf_t *zc, const char *kv);
void zbe_zone_conf_free(zbe_zone_conf_t *zc);
/* Names of every configured zone, sorted (NULL-terminated, free each). */
zbe_err_t zbe_zone_names(zbe_handle_t *h, char ***names);
void zbe_strv_free(char **v);

/* <zpds>: the dataset mounted at dirname(zonepath), plus basename. */
zbe_err_t zbe_zone_dataset(zbe_handle_t *h, const zbe_zone_conf_t *zc, char **zpds);

#endif
