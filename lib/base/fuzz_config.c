/*
 * libFuzzer target: zbe.conf, through zbe_config_load itself.  The input
 * goes to a memfd and is loaded by its /proc path, so the parser, the
 * per-key checks and the defaults all run as for a real file.
 */
#include "base.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], errbuf[512];
	zbe_config_t c;
	int fd = memfd_create("zbe.conf", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (zbe_config_load(&c, path, true, errbuf, sizeof(errbuf)) == ZBE_OK)
		zbe_config_free(&c);
	close(fd);
	return 0;
}
