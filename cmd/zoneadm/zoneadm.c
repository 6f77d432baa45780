/*
 * zoneadm list [-c] [-v] [-p | -j]
 * zoneadm -z zone install [-s directory | tarball]
 * zoneadm -z zone boot | ready | halt | reboot   (ready: select and mount the root only)
 * zoneadm -z zone uninstall [-F]
 * zoneadm boot-autoboot | halt-all      (for the host's startup/shutdown unit)
 */
#include "zoneadm.h"
#include "zbe_build.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
usage(void)
{
	fprintf(stderr, "usage:\n"
	    "\tzoneadm list [-c] [-v] [-p | -j]\n"
	    "\tzoneadm -z zone install [-s directory | tarball]\n"
	    "\tzoneadm -z zone boot | ready | halt | reboot\n"
	    "\tzoneadm -z zone uninstall [-F]\n"
	    "\tzoneadm boot-autoboot | halt-all\n");
	return 2;
}

static int
fail(zbe_handle_t *h)
{
	fprintf(stderr, "zoneadm: %s\n", zbe_errmsg(h));
	return 1;
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
		printf("%-4s %-16s %-11s %-30s %-6s %s\n", "ID", "NAME", "STATUS", "PATH", "BRAND", "IP");
	/* the global zone first, as on illumos */
	if (parsable)
		printf("0:global:running:/::native:shared\n");
	else if (verbose && !json)
		printf("%-4s %-16s %-11s %-30s %-6s %s\n", "0", "global", "running", "/", "native", "shared");
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
			json_object_object_add(o, "root", z->root_be ? json_object_new_string(z->root_be) : NULL);
			json_object_array_add(arr, o);
		} else if (parsable) {
			printf("%s:%s:%s:%s:%s:lxc:excl\n", id, z->name, zbe_zone_state_name(z->state), z->zonepath,
			    z->uuid ? z->uuid : "");
		} else if (verbose) {
			printf("%-4s %-16s %-11s %-30s %-6s %s\n", id, z->name, zbe_zone_state_name(z->state),
			    z->zonepath, "lxc", "excl");
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
zone_cmd(zbe_handle_t *h, const char *zone, const char *sub, int argc, char **argv)
{
	int opt;

	if (strcmp(sub, "install") == 0) {
		const char *src = NULL;
		while ((opt = getopt(argc, argv, "s:")) != -1) {
			if (opt != 's')
				return usage();
			src = optarg;
		}
		if (optind != argc)
			return usage();
		return zbe_zone_install(h, zone, src) == ZBE_OK ? 0 : fail(h);
	}
	if (strcmp(sub, "uninstall") == 0) {
		bool force = false;
		while ((opt = getopt(argc, argv, "F")) != -1) {
			if (opt != 'F')
				return usage();
			force = true;
		}
		if (optind != argc)
			return usage();
		char what[128];
		snprintf(what, sizeof(what), "uninstall zone %s", zone);
		if (!force && isatty(0) && !confirm(what)) {
			fprintf(stderr, "zoneadm: %s: uninstall canceled\n", zone);
			return 1;
		}
		return zbe_zone_uninstall(h, zone) == ZBE_OK ? 0 : fail(h);
	}
	if (argc != 1)
		return usage();
	if (strcmp(sub, "boot") == 0)
		return zbe_zone_boot(h, zone) == ZBE_OK ? 0 : fail(h);
	if (strcmp(sub, "ready") == 0)
		return zbe_zone_ready(h, zone) == ZBE_OK ? 0 : fail(h);
	if (strcmp(sub, "halt") == 0)
		return zbe_zone_halt(h, zone) == ZBE_OK ? 0 : fail(h);
	if (strcmp(sub, "reboot") == 0) {
		if (zbe_zone_halt(h, zone) != ZBE_OK)
			return fail(h);
		return zbe_zone_boot(h, zone) == ZBE_OK ? 0 : fail(h);
	}
	fprintf(stderr, "zoneadm: %s: unknown subcommand\n", sub);
	return usage();
}

int
main(int argc, char **argv)
{
	const char *zone = NULL;
	char errbuf[1024];
	zbe_err_t err;
	int opt, rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage();
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("zoneadm (zbe) %s\n", ZBE_VERSION);
		return 0;
	}
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
	if (strcmp(sub, "broker") == 0 && zone == NULL && argc == 2)
		return zoneadm_broker(argv[1]);
	zbe_handle_t *h = zbe_open(NULL, &err, errbuf, sizeof(errbuf));
	if (h == NULL) {
		fprintf(stderr, "zoneadm: %s\n", errbuf);
		return 1;
	}
	zoneadm_setup(h);
	if (strcmp(sub, "list") == 0)
		rc = zone != NULL ? usage() : list(h, argc, argv);
	else if (strcmp(sub, "boot-autoboot") == 0)
		rc = zone != NULL || argc != 1 ? usage() : boot_autoboot(h);
	else if (strcmp(sub, "prestart") == 0)
		/* run by lxc before each start of a zone: "prestart <zone> lxc pre-start" */
		rc = zone != NULL || argc < 2 ? usage() : (zbe_zone_prestart(h, argv[1]) == ZBE_OK ? 0 : fail(h));
	else if (strcmp(sub, "halt-all") == 0)
		rc = zone != NULL || argc != 1 ? usage() : halt_all(h);
	else if (zone == NULL)
		rc = usage();
	else
		rc = zone_cmd(h, zone, sub, argc, argv);
	zbe_close(h);
	return rc;
}
