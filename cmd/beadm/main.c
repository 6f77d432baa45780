/*
 * beadm: manage ZFS boot environments (illumos syntax).
 *   beadm [-v] [-n] [-z zone] subcommand [options] [arguments]
 */
#include "beadm.h"
#include "zbe_build.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	beadm_cmd_fn *fn;
	const char *usage;
} commands[] = {
	{ "activate", beadm_activate, "activate beName" },
	{ "create", beadm_create,
	    "create [-a] [-d description] [-e nonActiveBe | beName@snapshot] [-o property=value] ... beName\n"
	    "\tbeadm create beName@snapshot" },
	{ "destroy", beadm_destroy, "destroy [-fFs] beName | beName@snapshot" },
	{ "list", beadm_list, "list [-a | [-d] [-s]] [-H | -j] [beName]" },
	{ "mount", beadm_mount, "mount beName [mountpoint]" },
	{ "unmount", beadm_unmount, "unmount [-f] beName | mountpoint" },
	{ "umount", beadm_unmount, NULL },
	{ "rename", beadm_rename, "rename beName newBeName" },
	{ "rollback", beadm_rollback, "rollback beName snapshot | beName@snapshot" },
	{ "run", beadm_run, "run [-a] [-e source] newBeName -- command [argument...]" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int
beadm_usage(const char *sub)
{
	fprintf(stderr, "usage:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (commands[i].usage == NULL)
			continue;
		if (sub == NULL || strcmp(sub, commands[i].name) == 0 ||
		    (strcmp(sub, "umount") == 0 && strcmp(commands[i].name, "unmount") == 0))
			fprintf(stderr, "\tbeadm %s\n", commands[i].usage);
	}
	if (sub == NULL)
		fprintf(stderr, "global options: [-v] [-n] [-z zone]; beadm -V prints the version\n");
	return EXIT_USAGE;
}

int
beadm_usage_error(const char *sub, const char *msg)
{
	fprintf(stderr, "beadm: %s\n", msg);
	return beadm_usage(sub);
}

int
beadm_error(const char *what, const char *why)
{
	fprintf(stderr, "beadm: %s: %s\n", what, why);
	return 1;
}

int
beadm_fail(beadm_ctx_t *c)
{
	fprintf(stderr, "beadm: %s\n", zbe_errmsg(c->h));
	return 1;
}

void
beadm_split_snap(char *arg, char **be, char **snap)
{
	char *at = strchr(arg, '@');

	*be = arg;
	*snap = NULL;
	if (at != NULL) {
		*at = '\0';
		*snap = at + 1;
	}
}

static void
log_hook(void *arg, zbe_log_level_t lvl, const char *msg)
{
	beadm_ctx_t *c = arg;

	switch (lvl) {
	case ZBE_LOG_TRACE:
		if (c->verbose)
			fprintf(stderr, "+ %s\n", msg);
		break;
	case ZBE_LOG_PLAN:
		printf("%s\n", msg);
		break;
	case ZBE_LOG_INFO:
		if (c->verbose)
			fprintf(stderr, "beadm: %s\n", msg);
		break;
	case ZBE_LOG_WARN:
		fprintf(stderr, "beadm: warning: %s\n", msg);
		break;
	}
}

static void
help(void)
{
	printf("beadm - manage ZFS boot environments\n\n");
	printf("usage: beadm [-v] [-n] [-z zone] subcommand [options] [arguments]\n\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].usage != NULL)
			printf("\tbeadm %s\n", commands[i].usage);
	printf("\n  -v  print each zfs/zpool command as it runs\n"
	       "  -n  dry run: print the zfs/zpool commands and change nothing\n"
	       "  -z  work on the boot environments of a zone (global zone only)\n"
	       "  -V  print the version\n\nSee beadm(8).\n");
}

int
beadm_main(int argc, char **argv, const beadm_env_t *env)
{
	beadm_ctx_t c = { 0 };
	char errbuf[1024];
	zbe_err_t err;
	int opt, rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		help();
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("beadm (zbe) %s\n", ZBE_VERSION);
		return 0;
	}
	/* global flags stop at the subcommand */
	while ((opt = getopt(argc, argv, "+vnz:")) != -1) {
		switch (opt) {
		case 'v':
			c.verbose = true;
			break;
		case 'n':
			c.dry_run = true;
			break;
		case 'z':
			c.zone = optarg;
			break;
		default:
			return beadm_usage(NULL);
		}
	}
	if (optind >= argc)
		return beadm_usage_error(NULL, "missing subcommand");
	const char *sub = argv[optind];
	beadm_cmd_fn *fn = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(sub, commands[i].name) == 0)
			fn = commands[i].fn;
	if (fn == NULL) {
		fprintf(stderr, "beadm: %s: unknown subcommand\n", sub);
		return beadm_usage(NULL);
	}
	if (env != NULL && c.zone != NULL)
		return beadm_error("-z", "not available inside a zone");
	if (c.zone != NULL && !zbe_zone_name_valid(c.zone))
		return beadm_error(c.zone, "invalid zone name");
	c.h = zbe_open(env != NULL ? env->conf : NULL, &err, errbuf, sizeof(errbuf));
	if (c.h == NULL) {
		fprintf(stderr, "beadm: %s\n", errbuf);
		return 1;
	}
	zbe_set_log_hook(c.h, log_hook, &c);
	zbe_set_dry_run(c.h, c.dry_run);
	if (env != NULL) {
		/* a request from inside a zone, through its broker */
		c.zone = env->zone;
		c.zone_root = env->zone_root;
		if (zbe_scope_zone(c.h, env->zone, ZBE_POLICY_ZONE) != ZBE_OK) {
			rc = beadm_fail(&c);
			zbe_close(c.h);
			return rc;
		}
	} else if (c.zone != NULL && zbe_scope_zone(c.h, c.zone, ZBE_POLICY_ADMIN) != ZBE_OK) {
		rc = beadm_fail(&c);
		zbe_close(c.h);
		return rc;
	}
	/* the subcommand parses its own options from its name on */
	argc -= optind;
	argv += optind;
	optind = 1;
	rc = fn(&c, argc, argv);
	zbe_close(c.h);
	return rc;
}
