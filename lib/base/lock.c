/*
 * One lock for all mutating operations: flock(2) on <run_dir>/zbe.lock.
 * A second beadm waits for the first; readers take it shared.  One lock, not one per BE
 * container, because host operations reach into every zone's container
 * and a single lock cannot deadlock.  Nested takes are counted.
 */
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static zbe_err_t
take(zbe_handle_t *h, int how)
{
	char *path;
	int fd;

	if (h->lock_depth++ > 0 || h->dry_run)
		return ZBE_OK;
	if (mkdir(h->conf.run_dir, 0755) != 0 && errno != EEXIST) {
		h->lock_depth--;
		return zbe_fail(h, ZBE_ELOCK, h->conf.run_dir, "%s", strerror(errno));
	}
	if ((path = zbe_asprintf("%s/zbe.lock", h->conf.run_dir)) == NULL) {
		h->lock_depth--;
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, how) != 0) {
		zbe_err_t e = zbe_fail(h, ZBE_ELOCK, path, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		h->lock_depth--;
		return e;
	}
	free(path);
	h->lock_fd = fd;
	return ZBE_OK;
}

zbe_err_t
zbe_lock(zbe_handle_t *h)
{
	return take(h, LOCK_EX);
}

/*
 * Readers share the lock: a list never sees a BE half-made (zfs-fuse
 * sets the properties given to "zfs clone -o" just after the clone
 * appears).
 */
zbe_err_t
zbe_lock_shared(zbe_handle_t *h)
{
	return take(h, LOCK_SH);
}

void
zbe_unlock(zbe_handle_t *h)
{
	if (h->lock_depth == 0 || --h->lock_depth > 0)
		return;
	if (h->lock_fd >= 0) {
		close(h->lock_fd);
		h->lock_fd = -1;
	}
}
