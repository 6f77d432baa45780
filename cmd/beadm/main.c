/*
 * beadm: manage ZFS boot environments (illumos syntax).
 *   beadm [-v] [-n] [-z zone] subcommand [options] [arguments]
 */
#include "beadm.h"
#include "cmdline.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* What a subcommand is, for the broker and the usage text. */
enum {
	CMD_MUTATES = 1 << 0, /* changes something: inside a zone, for its root only */
	CMD_IN_ZONE = 1 << 1, /* there inside a zone (listed in a zone's usage) */
	CMD_BROKER = 1 << 2,  /* served by a zone's broker (run is the zone's own beadm's) */
};

static const struct command {
	const char *name;
	beadm_cmd_fn *fn;
	unsigned flags;
	const char *usage; /* NULL: an alias, not listed */
} commands[] = {
	{ "activate", beadm_activate, CMD_MUTATES | CMD_IN_ZONE | CMD_BROKER, "activate [-t] beName" },
	{ "check", beadm_check, CMD_IN_ZONE | CMD_BROKER, "check [-r]" },
	{ "create", beadm_create, CMD_MUTATES | CMD_IN_ZONE | CMD_BROKER,
	    "create [-a] [-d description] [-e nonActiveBe | beName@snapshot] [-o property=value] ... beName\n"
	    "\tbeadm create beName@snapshot" },
	{ "destroy", beadm_destroy, CMD_MUTATES | CMD_IN_ZONE | CMD_BROKER,
	    "destroy [-fFs] beName | beName@snapshot" },
	{ "list", beadm_list, CMD_IN_ZONE | CMD_BROKER, "list [-a | [-d] [-s]] [-H | -j] [beName]" },
	{ "mount", beadm_mount, CMD_MUTATES | CMD_IN_ZONE | CMD_BROKER, "mount beName [mountpoint]" },
	{ "unmount", beadm_unmount, CMD_MUTATES | CMD_IN_ZONE | CMD_BROKER, "unmount [-f] beName | mountpoint" },
	{ "umount", beadm_unmount, CMD_MUTATES | CMD_IN_ZONE | CMD_BROKER, NULL },
	{ "prune", beadm_prune, CMD_MUTATES | CMD_IN_ZONE | CMD_BROKER, "prune [-n]" },
	{ "rename", beadm_rename, CMD_MUTATES | CMD_IN_ZONE | CMD_BROKER, "rename beName newBeName" },
	{ "rollback", beadm_rollback, CMD_MUTATES | CMD_IN_ZONE | CMD_BROKER,
	    "rollback beName snapshot | beName@snapshot" },
	{ "run", beadm_run, CMD_MUTATES | CMD_IN_ZONE,
	    "run [-a] [-e source] newBeName -- command [argument...]" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Usage lines for sub (NULL: all); inside a zone, only what a zone has. */
static void
print_usage(FILE *f, const char *sub, bool in_zone)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		if (c->usage == NULL || (in_zone && !(c->flags & CMD_IN_ZONE)))
			continue;
		if (sub == NULL || strcmp(sub, c->name) == 0 ||
		    (strcmp(sub, "umount") == 0 && strcmp(c->name, "unmount") == 0))
			fprintf(f, "\tbeadm %s\n", c->usage);
	}
}

static bool usage_in_zone; /* set while serving a zone's request */

int
beadm_usage(const char *sub)
{
	fprintf(stderr, "usage:\n");
	print_usage(stderr, sub, usage_in_zone);
	if (sub == NULL)
		fprintf(stderr, usage_in_zone ? "beadm -V prints the version\n"
		    : "global options: [-v] [-n] [-z zone]; beadm -V prints the version\n");
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
	print_usage(stdout, NULL, false);
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

	usage_in_zone = env != NULL;
	c.may_mutate = env == NULL || env->may_mutate;
	if ((rc = cmdline_help_version(argc, argv, "beadm", help)) >= 0)
		return rc;
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
	const struct command *cmd = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(sub, commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "beadm: %s: unknown subcommand\n", sub);
		return beadm_usage(NULL);
	}
	if (env != NULL && c.zone != NULL)
		return beadm_error("-z", "not available inside a zone");
	if (env != NULL && !(cmd->flags & CMD_BROKER))
		/* the in-zone beadm runs it itself, in the zone */
		return beadm_error(sub, "not served by the broker; use the zone's own beadm");
	if (env != NULL && (cmd->flags & CMD_MUTATES) && !env->may_mutate)
		return beadm_error("permission denied", "only root in the zone may change boot environments");
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
		c.zone_root_dir = env->zone_root_dir;
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
	rc = cmd->fn(&c, argc, argv);
	/* a held SIGINT/SIGTERM/SIGHUP: the shell's convention, 128 + it */
	int sig = zbe_interrupted(c.h);
	if (sig != 0)
		rc = 128 + sig;
	zbe_close(c.h);
	return rc;
}
