/*
 * zonecfg -z zone create -p zonepath=/path [-p key=value]...
 * zonecfg -z zone set key=value...
 * zonecfg -z zone info [-j]
 * zonecfg -z zone delete [-F]
 */
#include "zbe.h"
#include "cmdline.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void);

static int
fail(zbe_handle_t *h)
{
	fprintf(stderr, "zonecfg: %s\n", zbe_errmsg(h));
	return 1;
}

static int
info(zbe_handle_t *h, const char *zone, bool json)
{
	zbe_zone_info_t *v;
	size_t n;
	int rc = 1;

	if (zbe_zone_list(h, &v, &n) != ZBE_OK)
		return fail(h);
	for (size_t i = 0; i < n; i++) {
		const zbe_zone_info_t *z = &v[i];
		if (strcmp(z->name, zone) != 0)
			continue;
		if (json) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "zonename", json_object_new_string(z->name));
			json_object_object_add(o, "zonepath", json_object_new_string(z->zonepath));
			json_object_object_add(o, "autoboot", json_object_new_boolean(z->autoboot));
			json_object_object_add(o, "be-ops", json_object_new_string(z->be_ops_deny ? "deny" : "allow"));
			json_object_object_add(o, "init", json_object_new_string(z->init ? z->init : "/sbin/init"));
			json_object_object_add(o, "uuid", z->uuid ? json_object_new_string(z->uuid) : NULL);
			json_object_object_add(o, "id-base", z->has_id_base ? json_object_new_int64(z->id_base) : NULL);
			json_object_object_add(o, "be-quota", z->be_quota ? json_object_new_string(z->be_quota) : NULL);
			json_object_object_add(o, "state", json_object_new_string(zbe_zone_state_name(z->state)));
			json_object_object_add(o, "dataset", z->dataset ? json_object_new_string(z->dataset) : NULL);
			printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		} else {
			printf("zonename: %s\nzonepath: %s\nautoboot: %s\nbe-ops: %s\ninit: %s\nuuid: %s\n",
			    z->name, z->zonepath, z->autoboot ? "true" : "false", z->be_ops_deny ? "deny" : "allow",
			    z->init ? z->init : "/sbin/init", z->uuid ? z->uuid : "-");
			if (z->has_id_base)
				printf("id-base: %u\nid-range: %u-%u\n", (unsigned)z->id_base, (unsigned)z->id_base,
				    (unsigned)(z->id_base + 65535u));
			else
				printf("id-base: -\n");
			printf("be-quota: %s\n", z->be_quota ? z->be_quota : "none");
		}
		rc = 0;
	}
	zbe_zone_list_free(v, n);
	if (rc != 0)
		fprintf(stderr, "zonecfg: %s: no such zone configured\n", zone);
	return rc;
}

static int
create(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	const char **kv = calloc((size_t)argc + 1, sizeof(*kv));
	size_t n = 0;
	int opt, rc = 0;

	if (kv == NULL) {
		fprintf(stderr, "zonecfg: out of memory\n");
		return 1;
	}
	while (rc == 0 && (opt = getopt(argc, argv, "p:")) != -1) {
		if (opt != 'p')
			rc = usage();
		else
			kv[n++] = optarg;
	}
	if (rc == 0 && optind != argc)
		rc = usage();
	if (rc == 0)
		rc = zbe_zone_configure(h, zone, kv, true) == ZBE_OK ? 0 : fail(h);
	free(kv);
	return rc;
}

static int
set(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	if (argc < 2)
		return usage();
	return zbe_zone_configure(h, zone, (const char *const *)argv + 1, false) == ZBE_OK ? 0 : fail(h);
}

static int
info_cmd(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	bool json = false;
	int opt;

	while ((opt = getopt(argc, argv, "j")) != -1) {
		if (opt != 'j')
			return usage();
		json = true;
	}
	return optind != argc ? usage() : info(h, zone, json);
}

static int
delete(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	bool force = false;
	int opt;

	while ((opt = getopt(argc, argv, "F")) != -1) {
		if (opt != 'F')
			return usage();
		force = true;
	}
	if (optind != argc)
		return usage();
	if (!force && isatty(0)) {
		char answer[16] = "";
		printf("Are you sure you want to delete zone %s (y/[n])? ", zone);
		fflush(stdout);
		if (fgets(answer, sizeof(answer), stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y')) {
			fprintf(stderr, "zonecfg: %s: delete canceled\n", zone);
			return 1;
		}
	}
	return zbe_zone_unconfigure(h, zone) == ZBE_OK ? 0 : fail(h);
}

static const struct command {
	const char *name;
	int (*fn)(zbe_handle_t *h, const char *zone, int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "create", create, "create -p zonepath=/path [-p key=value]..." },
	{ "set", set, "set key=value..." },
	{ "info", info_cmd, "info [-j]" },
	{ "delete", delete, "delete [-F]" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int
usage(void)
{
	fprintf(stderr, "usage:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(stderr, "\tzonecfg -z zone %s\n", commands[i].usage);
	fprintf(stderr, "keys: zonepath, autoboot (true|false), be-ops (allow|deny), init, id-base (auto|N), "
	    "be-quota (SIZE|none)\n");
	return 2;
}

static void
help(void)
{
	usage();
}

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	const char *zone = NULL;
	char errbuf[1024];
	zbe_err_t err;
	int opt, rc;

	if ((rc = cmdline_help_version(argc, argv, "zonecfg", help)) >= 0)
		return rc;
	while ((opt = getopt(argc, argv, "+z:")) != -1) {
		if (opt != 'z')
			return usage();
		zone = optarg;
	}
	if (zone == NULL || optind >= argc)
		return usage();
	if (!zbe_zone_name_valid(zone)) {
		fprintf(stderr, "zonecfg: %s: invalid zone name\n", zone);
		return 1;
	}
	const char *sub = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(sub, commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "zonecfg: %s: unknown subcommand\n", sub);
		return usage();
	}
	zbe_handle_t *h = zbe_open(NULL, &err, errbuf, sizeof(errbuf));
	if (h == NULL) {
		fprintf(stderr, "zonecfg: %s\n", errbuf);
		return 1;
	}
	rc = cmd->fn(h, zone, argc, argv);
	zbe_close(h);
	return rc;
}
