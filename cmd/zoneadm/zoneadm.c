/*
 * zoneadm list [-c] [-v] [-p | -j]
 * zoneadm -z zone install [-a archive | -s directory | tarball | -t debian [-r release]]
 * zoneadm -z zone clone [-s ZBE@snapshot] source_zone
 * zoneadm -z zone boot | ready | halt | reboot   (ready: select and mount the root only)
 * zoneadm -z zone uninstall [-F]
 * zoneadm -z zone detach | attach [-x option]... | move zonepath (attach_move.c)
 * zoneadm boot-autoboot | halt-all      (for the host's startup/shutdown unit)
 */
#include "zoneadm.h"
#include "cmdline.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void);

static int
fail(zbe_handle_t *h)
{
	fprintf(stderr, "zoneadm: %s\n", zbe_errmsg(h));
	return 1;
}

/* list -v's CAPS column: "mem=512M,cpu=1.50,proc=200", "-" for none. */
static const char *
caps_column(const zbe_zone_caps_t *c, char *buf, size_t len)
{
	char mem[32], cpu[32], proc[24] = "";

	zbe_zone_caps_memory_str(c, mem, sizeof(mem));
	zbe_zone_caps_cpu_str(c, cpu, sizeof(cpu));
	if (c->max_processes)
		snprintf(proc, sizeof(proc), "%u", (unsigned)c->max_processes);
	snprintf(buf, len, "%s%s%s%s%s%s", c->memory ? ",mem=" : "", c->memory ? mem : "",
	    c->cpu_centi ? ",cpu=" : "", c->cpu_centi ? cpu : "", proc[0] ? ",proc=" : "", proc);
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
	return buf[0] == ',' ? buf + 1 : buf;
}

static int
list(zbe_handle_t *h, int argc, char **argv)
{
	bool all = false, verbose = false, parsable = false, json = false;
	zbe_zone_info_t *v;
	size_t n;
	int opt;

	while ((opt = getopt(argc, argv, "cvpj")) != -1) {
		switch (opt) {
		case 'c':
			all = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'p':
			parsable = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc || (parsable && json))
		return usage();
	if (zbe_zone_list(h, &v, &n) != ZBE_OK)
		return fail(h);
	json_object *arr = json ? json_object_new_array() : NULL;
	if (verbose && !parsable && !json)
		printf("%-4s %-16s %-11s %-30s %-6s %-6s %s\n", "ID", "NAME", "STATUS", "PATH", "BRAND", "IP", "CAPS");
	/* the global zone first, as on illumos */
	if (parsable)
		printf("0:global:running:/::native:shared\n");
	else if (verbose && !json)
		printf("%-4s %-16s %-11s %-30s %-6s %-6s %s\n", "0", "global", "running", "/", "native", "shared", "-");
	else if (!json)
		printf("global\n");
	for (size_t i = 0; i < n; i++) {
		const zbe_zone_info_t *z = &v[i];
		if (!all && z->state != ZBE_ZONE_RUNNING)
			continue;
		char id[16];
		snprintf(id, sizeof(id), z->id > 0 ? "%d" : "-", z->id);
		if (json) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "id", z->id > 0 ? json_object_new_int(z->id) : NULL);
			json_object_object_add(o, "name", json_object_new_string(z->name));
			json_object_object_add(o, "state", json_object_new_string(zbe_zone_state_name(z->state)));
			json_object_object_add(o, "zonepath", json_object_new_string(z->zonepath));
			json_object_object_add(o, "uuid", z->uuid ? json_object_new_string(z->uuid) : NULL);
			json_object_object_add(o, "brand", json_object_new_string("lxc"));
			json_object_object_add(o, "ip-type", json_object_new_string("excl"));
			json_object_object_add(o, "dataset", z->dataset ? json_object_new_string(z->dataset) : NULL);
			json_object_object_add(o, "root", z->mounted_zbe ? json_object_new_string(z->mounted_zbe) : NULL);
			char mem[32], cpu[32];
			zbe_zone_caps_memory_str(&z->caps, mem, sizeof(mem));
			zbe_zone_caps_cpu_str(&z->caps, cpu, sizeof(cpu));
			json_object_object_add(o, "capped-memory", z->caps.memory ? json_object_new_string(mem) : NULL);
			json_object_object_add(o, "capped-cpu", z->caps.cpu_centi ? json_object_new_string(cpu) : NULL);
			json_object_object_add(o, "max-processes", z->caps.max_processes ?
			    json_object_new_int64(z->caps.max_processes) : NULL);
			json_object_array_add(arr, o);
		} else if (parsable) {
			printf("%s:%s:%s:%s:%s:lxc:excl\n", id, z->name, zbe_zone_state_name(z->state), z->zonepath,
			    z->uuid ? z->uuid : "");
		} else if (verbose) {
			char caps[96];
			printf("%-4s %-16s %-11s %-30s %-6s %-6s %s\n", id, z->name, zbe_zone_state_name(z->state),
			    z->zonepath, "lxc", "excl", caps_column(&z->caps, caps, sizeof(caps)));
		} else {
			printf("%s\n", z->name);
		}
	}
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	}
	zbe_zone_list_free(v, n);
	return 0;
}

static bool
confirm(const char *what)
{
	char answer[16] = "";

	printf("Are you sure you want to %s (y/[n])? ", what);
	fflush(stdout);
	return fgets(answer, sizeof(answer), stdin) != NULL && (answer[0] == 'y' || answer[0] == 'Y');
}

/* Zones with autoboot=true are booted; one failure does not stop the others. */
static int
boot_autoboot(zbe_handle_t *h)
{
	zbe_zone_info_t *v;
	size_t n;
	int rc = 0;

	if (zbe_zone_list(h, &v, &n) != ZBE_OK)
		return fail(h);
	for (size_t i = 0; i < n; i++)
		if (v[i].autoboot && v[i].state == ZBE_ZONE_INSTALLED && zbe_zone_boot(h, v[i].name) != ZBE_OK)
			rc = fail(h);
	zbe_zone_list_free(v, n);
	return rc;
}

static int
halt_all(zbe_handle_t *h)
{
	zbe_zone_info_t *v;
	size_t n;
	int rc = 0;

	if (zbe_zone_list(h, &v, &n) != ZBE_OK)
		return fail(h);
	for (size_t i = 0; i < n; i++)
		if (v[i].state == ZBE_ZONE_RUNNING && zbe_zone_halt(h, v[i].name) != ZBE_OK)
			rc = fail(h);
	zbe_zone_list_free(v, n);
	return rc;
}

static int
install(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	zbe_install_src_t src = { ZBE_INSTALL_MINIMAL, NULL, NULL };
	int opt;

	while ((opt = getopt(argc, argv, "a:s:t:r:")) != -1) {
		if (opt == 'r') {
			src.release = optarg;
			continue;
		}
		if ((opt != 's' && opt != 'a' && opt != 't') || src.kind != ZBE_INSTALL_MINIMAL)
			return usage();
		if (opt == 't' && strcmp(optarg, "debian") != 0) {
			fprintf(stderr, "zoneadm: %s: unknown image (the images are: debian)\n", optarg);
			return 2;
		}
		src.kind = opt == 'a' ? ZBE_INSTALL_ARCHIVE : opt == 's' ? ZBE_INSTALL_SOURCE : ZBE_INSTALL_DEBIAN;
		src.path = opt == 't' ? NULL : optarg;
	}
	if (optind != argc || (src.release != NULL && src.kind != ZBE_INSTALL_DEBIAN))
		return usage();
	return zbe_zone_install_from(h, zone, &src) == ZBE_OK ? 0 : fail(h);
}

static int
uninstall(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	bool force = false;
	char what[128];
	int opt;

	while ((opt = getopt(argc, argv, "F")) != -1) {
		if (opt != 'F')
			return usage();
		force = true;
	}
	if (optind != argc)
		return usage();
	snprintf(what, sizeof(what), "uninstall zone %s", zone);
	if (!force && isatty(0) && !confirm(what)) {
		fprintf(stderr, "zoneadm: %s: uninstall canceled\n", zone);
		return 1;
	}
	return zbe_zone_uninstall(h, zone) == ZBE_OK ? 0 : fail(h);
}

static int
clone(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	const char *snap = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "s:")) != -1) {
		if (opt != 's')
			return usage();
		snap = optarg;
	}
	if (optind + 1 != argc)
		return usage();
	return zbe_zone_clone(h, zone, argv[optind], snap) == ZBE_OK ? 0 : fail(h);
}

/* zoneadm -z zone reboot: halt, then boot (selecting the root afresh). */
static zbe_err_t
reboot(zbe_handle_t *h, const char *zone)
{
	zbe_err_t err = zbe_zone_halt(h, zone);

	return err != ZBE_OK ? err : zbe_zone_boot(h, zone);
}

/* Run by lxc before each start of a zone: "prestart <zone> lxc pre-start". */
static int
prestart(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	(void)zone;
	return argc < 2 ? usage() : zbe_zone_prestart(h, argv[1]) == ZBE_OK ? 0 : fail(h);
}

static int
boot_autoboot_cmd(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	(void)zone;
	(void)argv;
	return argc != 1 ? usage() : boot_autoboot(h);
}

static int
halt_all_cmd(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	(void)zone;
	(void)argv;
	return argc != 1 ? usage() : halt_all(h);
}

static int
list_cmd(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	(void)zone;
	return list(h, argc, argv);
}

/* zoneadm broker ZONE STARTER: started by boot (STARTER: its pid), without a
 * handle of its own here. */
static int
broker(zbe_handle_t *h, const char *zone, int argc, char **argv)
{
	char *end;
	long starter;

	(void)h;
	(void)zone;
	if (argc != 3)
		return usage();
	errno = 0;
	starter = strtol(argv[2], &end, 10);
	if (errno != 0 || end == argv[2] || *end != '\0' || starter < 1 || starter > INT_MAX)
		return usage();
	return zoneadm_broker(argv[1], (pid_t)starter);
}

enum {
	CMD_ZONE = 1 << 0,      /* needs -z zone */
	CMD_NO_HANDLE = 1 << 1, /* opens no handle (the broker opens its own) */
};

static const struct command {
	const char *name;
	/* one of: a subcommand with arguments, or an operation on the zone alone */
	int (*fn)(zbe_handle_t *h, const char *zone, int argc, char **argv);
	zbe_err_t (*zone_op)(zbe_handle_t *h, const char *zone);
	unsigned flags;
	const char *usage; /* NULL: listed with the one before, or for zbe's own use */
} commands[] = {
	{ "list", list_cmd, NULL, 0, "list [-c] [-v] [-p | -j]" },
	{ "install", install, NULL, CMD_ZONE, "install [-a archive | -s directory | tarball | -t debian [-r release]]" },
	{ "clone", clone, NULL, CMD_ZONE, "clone [-s ZBE@snapshot] source_zone" },
	{ "boot", NULL, zbe_zone_boot, CMD_ZONE, "boot | ready | halt | reboot" },
	{ "ready", NULL, zbe_zone_ready, CMD_ZONE, NULL },
	{ "halt", NULL, zbe_zone_halt, CMD_ZONE, NULL },
	{ "reboot", NULL, reboot, CMD_ZONE, NULL },
	{ "uninstall", uninstall, NULL, CMD_ZONE, "uninstall [-F]" },
	{ "detach", NULL, zbe_zone_detach, CMD_ZONE, "detach" },
	{ "attach", zoneadm_attach, NULL, CMD_ZONE,
	    "attach [-x attach-last-booted-zbe] [-x destroy-orphan-zbes] [-x deny-zbe-clone]" },
	{ "move", zoneadm_move, NULL, CMD_ZONE, "move zonepath" },
	{ "boot-autoboot", boot_autoboot_cmd, NULL, 0, "boot-autoboot | halt-all" },
	{ "halt-all", halt_all_cmd, NULL, 0, NULL },
	{ "prestart", prestart, NULL, 0, NULL },
	{ "broker", broker, NULL, CMD_NO_HANDLE, NULL },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int
usage(void)
{
	fprintf(stderr, "usage:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].usage != NULL)
			fprintf(stderr, "\tzoneadm %s%s\n", commands[i].flags & CMD_ZONE ? "-z zone " : "",
			    commands[i].usage);
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

	if ((rc = cmdline_help_version(argc, argv, "zoneadm", help)) >= 0)
		return rc;
	while ((opt = getopt(argc, argv, "+z:")) != -1) {
		if (opt != 'z')
			return usage();
		zone = optarg;
	}
	if (optind >= argc)
		return usage();
	if (zone != NULL && !zbe_zone_name_valid(zone)) {
		fprintf(stderr, "zoneadm: %s: invalid zone name\n", zone);
		return 1;
	}
	const char *sub = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(sub, commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL && zone != NULL) {
		fprintf(stderr, "zoneadm: %s: unknown subcommand\n", sub);
		return usage();
	}
	if (cmd == NULL || (zone != NULL) != ((cmd->flags & CMD_ZONE) != 0))
		return usage();
	if (cmd->flags & CMD_NO_HANDLE)
		return cmd->fn(NULL, zone, argc, argv);
	/* usage errors before the configuration is read */
	if (cmd->zone_op != NULL && argc != 1)
		return usage();
	zbe_handle_t *h = zbe_open(NULL, &err, errbuf, sizeof(errbuf));
	if (h == NULL) {
		fprintf(stderr, "zoneadm: %s\n", errbuf);
		return 1;
	}
	zoneadm_setup(h);
	if (cmd->zone_op != NULL)
		rc = cmd->zone_op(h, zone) == ZBE_OK ? 0 : fail(h);
	else
		rc = cmd->fn(h, zone, argc, argv);
	zbe_close(h);
	return rc;
}
