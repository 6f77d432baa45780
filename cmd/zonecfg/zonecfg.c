/*
 * zonecfg -z zone create -p zonepath=/path [-p key=value]...
 * zonecfg -z zone set key=value...
 * zonecfg -z zone add net physical=bridge [address=a.b.c.d/len|dhcp] [defrouter=a.b.c.d]
 * zonecfg -z zone remove net
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

/* The caps as illumos shows its capped-memory and capped-cpu resources,
 * "none" where there is no cap; then one line per net resource. */
static void
print_limits(const zbe_zone_info_t *z)
{
	char mem[32], cpu[32];

	printf("capped-memory.physical: %s\n", z->caps.memory ? zbe_zone_caps_memory_str(&z->caps, mem, sizeof(mem))
	    : "none");
	printf("capped-cpu.ncpus: %s\n", z->caps.cpu_centi ? zbe_zone_caps_cpu_str(&z->caps, cpu, sizeof(cpu))
	    : "none");
	if (z->caps.max_processes)
		printf("max-processes: %u\n", (unsigned)z->caps.max_processes);
	else
		printf("max-processes: none\n");
	for (size_t i = 0; i < z->nnet; i++)
		printf("net: physical=%s address=%s defrouter=%s\n", z->net[i].physical,
		    z->net[i].address[0] ? z->net[i].address : "none",
		    z->net[i].defrouter[0] ? z->net[i].defrouter : "none");
}

static json_object *
str_or_null(const char *s)
{
	return s[0] != '\0' ? json_object_new_string(s) : NULL;
}

static void
add_limits_json(json_object *o, const zbe_zone_info_t *z)
{
	char buf[32];
	json_object *mem = NULL, *cpu = NULL, *nets = json_object_new_array();

	if (z->caps.memory) {
		mem = json_object_new_object();
		json_object_object_add(mem, "physical", json_object_new_string(
		    zbe_zone_caps_memory_str(&z->caps, buf, sizeof(buf))));
		json_object_object_add(mem, "physical-bytes", json_object_new_int64((int64_t)z->caps.memory));
	}
	if (z->caps.cpu_centi) {
		cpu = json_object_new_object();
		json_object_object_add(cpu, "ncpus", json_object_new_double_s(z->caps.cpu_centi / 100.0,
		    zbe_zone_caps_cpu_str(&z->caps, buf, sizeof(buf))));
	}
	json_object_object_add(o, "capped-memory", mem);
	json_object_object_add(o, "capped-cpu", cpu);
	json_object_object_add(o, "max-processes", z->caps.max_processes ?
	    json_object_new_int64(z->caps.max_processes) : NULL);
	for (size_t i = 0; i < z->nnet; i++) {
		json_object *n = json_object_new_object();
		json_object_object_add(n, "physical", json_object_new_string(z->net[i].physical));
		json_object_object_add(n, "address", str_or_null(z->net[i].address));
		json_object_object_add(n, "defrouter", str_or_null(z->net[i].defrouter));
		json_object_array_add(nets, n);
	}
	json_object_object_add(o, "net", nets);
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
			add_limits_json(o, z);
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
			print_limits(z);
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

/* add net key=value...: one net resource, "net=k=v,k=v" for the library. */
static int
add(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	char val[256] = "net=";
	zbe_err_t err;

	if (argc < 3 || strcmp(argv[1], "net") != 0)
		return usage();
	for (int i = 2; i < argc; i++) {
		size_t used = strlen(val);
		if (strchr(argv[i], ',') != NULL || strchr(argv[i], '=') == NULL ||
		    snprintf(val + used, sizeof(val) - used, "%s%s", i > 2 ? "," : "", argv[i]) >=
		    (int)(sizeof(val) - used)) {
			fprintf(stderr, "zonecfg: %s: a net property is key=value without a comma\n", argv[i]);
			return 1;
		}
	}
	const char *kv[] = { val, NULL };
	err = zbe_zone_configure(h, zone, kv, false);
	return err == ZBE_OK ? 0 : fail(h);
}

static int
remove_cmd(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	const char *kv[] = { "net=none", NULL };

	if (argc != 2 || strcmp(argv[1], "net") != 0)
		return usage();
	return zbe_zone_configure(h, zone, kv, false) == ZBE_OK ? 0 : fail(h);
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
	{ "add", add, "add net physical=bridge [address=a.b.c.d/len|dhcp] [defrouter=a.b.c.d]" },
	{ "remove", remove_cmd, "remove net" },
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
	    "be-quota (SIZE|none), capped-memory.physical (SIZE|none), capped-cpu.ncpus (N.NN|none), "
	    "max-processes (N|none)\n");
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
