/*
 * libFuzzer target: a zone's configuration file, read by
 * zbe_zone_conf_read as zoneadm, zonecfg and the broker read it.  The
 * input is written as <zones_dir>/fz.conf of a handle whose zbe.conf (in
 * a directory of this process under /dev/shm) names that zones_dir.
 */
#include "state.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static zbe_handle_t *h;
static char conf_file[128];

static zbe_handle_t *
handle(void)
{
	char dir[] = "/dev/shm/zbe-fuzz.XXXXXX", errbuf[512];
	zbe_err_t err;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		abort();
	char *conf = zbe_asprintf("%s/zbe.conf", dir);
	if (conf == NULL || (f = fopen(conf, "w")) == NULL)
		abort();
	fprintf(f, "zones_dir = %s\nrun_dir = %s\nsystem_root = %s\n", dir, dir, dir);
	fclose(f);
	zbe_handle_t *hh = zbe_open(conf, &err, errbuf, sizeof(errbuf));
	if (hh == NULL)
		abort();
	snprintf(conf_file, sizeof(conf_file), "%s/fz.conf", dir);
	free(conf);
	return hh;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	zbe_zone_conf_t zc;
	FILE *f;

	if (h == NULL)
		h = handle();
	if ((f = fopen(conf_file, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (zbe_zone_conf_read(h, "fz", &zc) == ZBE_OK)
		zbe_zone_conf_free(&zc);
	return 0;
}
