/* beadm: one small file per subcommand; this is what they share. */
#ifndef BEADM_H
#define BEADM_H

#include "zbe.h"

#include <stdio.h>

#define EXIT_USAGE 2

/* Set when beadm serves a request from inside a zone (the zone's broker). */
typedef struct beadm_env {
	const char *conf;          /* the host's zbe.conf, or NULL */
	const char *zone;
	const char *zone_root_dir; /* host path of the zone's root: zone paths live below it */
	bool may_mutate;           /* the caller is the zone's root: it may change things */
} beadm_env_t;

int beadm_main(int argc, char **argv, const beadm_env_t *env);

typedef struct beadm_ctx {
	zbe_handle_t *h;
	const char *zone;  /* -z, or the zone a request comes from */
	const char *zone_root_dir; /* inside a zone: see beadm_env_t */
	bool verbose;      /* -v */
	bool dry_run;      /* -n */
	bool may_mutate;   /* false for a zone's non-root caller (check -r needs it) */
} beadm_ctx_t;

typedef int beadm_cmd_fn(beadm_ctx_t *c, int argc, char **argv);

beadm_cmd_fn beadm_activate, beadm_check, beadm_create, beadm_destroy, beadm_list, beadm_mount,
    beadm_unmount, beadm_prune, beadm_rename, beadm_rollback, beadm_run;

/* Print "beadm: <errmsg>" and return 1. */
int beadm_fail(beadm_ctx_t *c);
/* Print "beadm: <what>: <why>" and return 1. */
int beadm_error(const char *what, const char *why);
/* Print the usage (of one subcommand, or all when sub is NULL) and return 2. */
int beadm_usage(const char *sub);
/* Print "beadm: <msg>" then the usage of sub; return 2. */
int beadm_usage_error(const char *sub, const char *msg);

/* Split "be@snap" into be and snap (NULL when there is no '@'). */
void beadm_split_snap(char *arg, char **be, char **snap);

/* Inside a zone: is path a plain absolute path?  (Prints why not.) */
bool beadm_zone_path_ok(const char *path);
/* A host path as the zone sees it (pointer into path), or NULL if outside. */
const char *beadm_zone_view(const beadm_ctx_t *c, const char *path);

#endif
