/*
 * Layer 3, state and policy: what an operation decides on, read once
 * (state.c), the zone rules (policy.c), which ZBE a zone boots
 * (select.c), interrupted operations (journal.c), zone configuration files (zone_conf.c), the zones' BE
 * containers (zone_containers.c), a handle's zone scope (zone_scope.c)
 * and whether a zone runs (zone_status.c).  Changes nothing on a pool.
 * Calls base, zfs and runtime.
 */
#ifndef ZBE_STATE_H
#define ZBE_STATE_H

#include "runtime.h"
#include "zfs.h"

/* ---- the state of an operation (state.c) ---- */

enum {
	ZBE_STATE_BOOTFS = 1 << 0, /* also read the pool's bootfs and altroot (host) */
};

typedef struct zbe_state {
	zbe_tree_t tree;
	const char *container;      /* where the BEs of this scope are */
	const char *host_container; /* where the host BEs are */
	char *host_running;         /* dataset at system_root */
	const char *host_uuid;      /* its uuid, or NULL */
	char *zone_running;         /* zone scope: the ZBE at <zonepath>/root */
	const char *running;        /* the running BE of this scope */
	char *bootfs;
	char *altroot;              /* the pool's, read with bootfs; NULL when it has none */
} zbe_state_t;

/* One tree read of the host container, the zone's (zone scope) and extra. */
zbe_err_t zbe_state_read(zbe_handle_t *h, zbe_state_t *st, unsigned what,
    const char *const *extra, size_t nextra);
void zbe_state_free(zbe_state_t *st);

bool zbe_state_is_be(const zbe_state_t *st, const zbe_ds_t *d);
const zbe_ds_t *zbe_state_be(const zbe_state_t *st, const char *be);
const char *zbe_be_name(const zbe_state_t *st, const zbe_ds_t *d);
const char *zbe_host_be_name(const zbe_state_t *st, const zbe_ds_t *d);
bool zbe_state_running(const zbe_state_t *st, const zbe_ds_t *be);
bool zbe_state_next(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be);
bool zbe_state_foreign(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be);
/* A pending one-time activation (beadm activate -t): the name of the BE
 * the boot after the next one returns to, or NULL. */
const char *zbe_state_revert(const zbe_state_t *st);
/* T: host scope, be is bootfs for the next boot only. */
bool zbe_state_once(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be);
/* Host scope: be is the BE a pending one-time activation returns to. */
bool zbe_state_returns_to(const zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be);
const zbe_ds_t *zbe_state_host_be_by_uuid(const zbe_state_t *st, const char *uuid);
/* The entries of the tree under be (itself first), as an index range. */
void zbe_state_range(const zbe_state_t *st, const zbe_ds_t *be, size_t *first, size_t *end);

/* ---- the journal of an interrupted operation (journal.c) ---- */

/* The kinds of operation a journal names. */
#define ZBE_JOURNAL_CREATE   "create"   /* be: the new BE; arg: - */
#define ZBE_JOURNAL_ACTIVATE "activate" /* be: the BE; arg: its uuid or - */
#define ZBE_JOURNAL_DESTROY  "destroy"  /* be: the BE; arg: "<uuid or -> <flags> <origin snapshot or ->" */
#define ZBE_JOURNAL_ROLLBACK "rollback" /* be: the BE; arg: the snapshot */
#define ZBE_JOURNAL_RENAME   "rename"   /* be: the old name; arg: the new one */
#define ZBE_JOURNAL_ONCE     "activate-t" /* be: the one-time BE; arg: the BE it returns to */

typedef struct zbe_journal {
	char opid[40];
	char kind[16];  /* one of the above; "?" when unreadable */
	char be[256];   /* a BE name in the container */
	char arg[256];
	const char *container;
} zbe_journal_t;

/* The journal set on container itself (not inherited), if any. */
bool zbe_state_journal(const zbe_state_t *st, const char *container, zbe_journal_t *j);
/* Is d half-made or half-destroyed by an interrupted operation of the
 * host's or (zone scope) the zone's journal, or being updated by beadm run? */
bool zbe_state_incomplete(const zbe_state_t *st, const zbe_ds_t *d);

/* beadm run's mark on the BE it updates (org.zbe:pending): this process's
 * value (malloc), whether the beadm a value names still runs, and whether
 * it is this process. */
char *zbe_pending_value(void);
bool zbe_pending_alive(const char *pending);
bool zbe_pending_mine(const char *pending);

/* ---- the zone rules (policy.c) ---- */

/* May this scope change anything at all?  (be-ops=deny) */
zbe_err_t zbe_policy_mutate(zbe_handle_t *h);
/* May this scope act on be?  verb names the action for the message. */
zbe_err_t zbe_policy_touch(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be,
    const char *verb);
/* Look up a BE by name, with the usual errors. */
zbe_err_t zbe_find_be(zbe_handle_t *h, const zbe_state_t *st, const char *name,
    const zbe_ds_t **out);

/* ---- which ZBE (select.c) ---- */

/* Zone scope: the ZBE that boots next (active for the running host BE), if exactly one. */
const zbe_ds_t *zbe_zone_next_be(zbe_handle_t *h, const zbe_state_t *st);
/* Zone scope: the one ZBE to boot, or an error naming the candidates and the fix. */
zbe_err_t zbe_zone_select(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t **out);
/* Of the ZBEs right below container, the one whose parentbe is uuid (and,
 * with need_active, active=on); *count tells how many there are. */
const zbe_ds_t *zbe_zbe_of(const zbe_state_t *st, const char *container, const char *uuid,
    bool need_active, size_t *count);

/* ---- zone configuration files (zone_conf.c) ---- */

/*
 * One file per zone, <zones_dir>/<zone>.conf, of "key=value" lines.
 * zones_dir lies inside the running host BE, so each host BE carries its
 * own zone configuration.
 */
typedef struct zbe_zone_conf {
	char *name;
	char *zonepath;
	bool autoboot;
	bool be_ops_deny;
	char *init;
	char *uuid; /* the zone's own uuid, made at configure time */
	/*
	 * The zone's user namespace: zone ids 0..ZBE_ZONE_IDS-1 are host ids
	 * id_base.. (uids and gids alike), taken from root's subordinate ids
	 * (zone_ids.c).  has_id_base is false only for a zone configured by
	 * a version without user namespaces; boot refuses it.
	 */
	bool has_id_base;
	bool id_base_auto; /* "id-base=auto" was given: allocate one (configure) */
	uint32_t id_base;
	char *be_quota; /* the quota on <zpds>/rpool ("10G"), or NULL */
	zbe_zone_caps_t caps; /* capped-memory.physical, capped-cpu.ncpus, max-processes */
	zbe_zone_net_t net[ZBE_ZONE_NET_MAX]; /* "net=physical=...,address=...": one line each */
	size_t nnet;
} zbe_zone_conf_t;

zbe_err_t zbe_zone_conf_read(zbe_handle_t *h, const char *zone, zbe_zone_conf_t *zc);
zbe_err_t zbe_zone_conf_write(zbe_handle_t *h, const zbe_zone_conf_t *zc);
zbe_err_t zbe_zone_conf_set(zbe_handle_t *h, zbe_zone_conf_t *zc, const char *kv);
void zbe_zone_conf_free(zbe_zone_conf_t *zc);
/* The caps and net keys (zone_limits.c): *known is false for any other
 * key.  "net=physical=IF[,address=A/L|dhcp][,defrouter=G]" adds a net
 * resource, "net=none" removes them all; each cap takes "none". */
zbe_err_t zbe_zone_conf_set_limit(zbe_handle_t *h, zbe_zone_conf_t *zc, const char *key, const char *v,
    bool *known);
void zbe_zone_limits_write(FILE *f, const zbe_zone_conf_t *zc);
/* <zones_dir>/<zone>.conf (malloc). */
char *zbe_zone_conf_path(zbe_handle_t *h, const char *zone);
/* Names of every configured zone, sorted (NULL-terminated, zbe_strv_free). */
zbe_err_t zbe_zone_names(zbe_handle_t *h, char ***names);
/* <zpds>: the dataset mounted at dirname(zonepath), plus basename. */
zbe_err_t zbe_zone_dataset(zbe_handle_t *h, const zbe_zone_conf_t *zc, char **zpds);
/* The zone's configuration (its name checked) and its <zpds>; on failure neither is kept. */
zbe_err_t zbe_zone_conf_dataset(zbe_handle_t *h, const char *zone, zbe_zone_conf_t *zc, char **zpds);

/* ---- the zones' subordinate ids (zone_ids.c) ---- */

/*
 * A free range of ZBE_ZONE_IDS ids for zone: inside one of root's ranges
 * in both subuid_file and subgid_file (zbe.conf; /etc/subuid and
 * /etc/subgid), overlapping no other configured zone's range.
 */
zbe_err_t zbe_zone_ids_alloc(zbe_handle_t *h, const char *zone, uint32_t *base);
/* Is base a range zone may have (the same rules)?  An error says why not. */
zbe_err_t zbe_zone_ids_check(zbe_handle_t *h, const char *zone, uint32_t base);
/* The id bases of every configured zone but zone (malloc'd array). */
zbe_err_t zbe_zone_ids_others(zbe_handle_t *h, const char *zone, uint32_t **bases, size_t *n);

/* ---- the zones' BE containers (zone_containers.c) ---- */

/* Every configured zone whose zonepath is on ZFS, with where its BEs are. */
typedef struct zbe_zone_containers {
	char **zones;      /* zone names */
	char **containers; /* their <zpds>/rpool, the container of each zone's BEs */
	size_t n;
	char **read_roots; /* the datasets holding the <zpds>, each once: a tree read reads these */
	size_t nread_roots;
} zbe_zone_containers_t;
zbe_err_t zbe_zone_containers(zbe_handle_t *h, zbe_zone_containers_t *z);
void zbe_zone_containers_free(zbe_zone_containers_t *z);

/* ---- a handle's zone scope (zone_scope.c) ---- */

/* The global administrator's view of one zone's BEs (the name checked). */
zbe_err_t zbe_zone_admin_scope(zbe_handle_t *h, const char *zone);
/* Zone scope: the ZBE mounted at <zonepath>/root (malloc), or NULL. */
char *zbe_zone_mounted_zbe(zbe_handle_t *h);

/* ---- whether a zone runs, and where its run-time files are (zone_status.c) ---- */

/* <run_dir>/lxc: the LXC containers of the zones */
char *zbe_zone_lxcpath(zbe_handle_t *h);
/* <run_dir>/zones/<zone>/<leaf> (malloc) */
char *zbe_zone_run_file(zbe_handle_t *h, const char *zone, const char *leaf);
/* The broker's socket directory: bind-mounted into the zone at ZBE_ZONE_SOCKDIR. */
#define ZBE_ZONE_SOCK_LEAF "sock"
#define ZBE_ZONE_SOCKDIR "/var/run/zbe"
#define ZBE_ZONE_SOCKNAME "beadm.sock"

bool zbe_zone_is_running(zbe_handle_t *h, const char *zone);
/* Is something from ZFS mounted at the zone's <zonepath>/root? */
bool zbe_zone_root_mounted(zbe_handle_t *h, const char *zone);
zbe_zone_state_t zbe_zone_state_of(zbe_handle_t *h, const zbe_tree_t *t, const char *zone,
    const char *zpds);

#endif
