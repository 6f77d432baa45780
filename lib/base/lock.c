/*
 * One lock for all mutating operations: flock(2) on <run_dir>/zbe.lock.
 * A second beadm waits for the first; readers take it shared.  One lock, not one per BE
 * container, because host operations reach into every zone's container
 * and a single lock cannot deadlock.  Nested takes are counted.
 *
 * Writers first.  flock lets a new reader share the lock while a writer
 * waits, so readers that overlap (a zone's broker serving a loop of
 * "beadm list") keep a writer out for as long as they keep coming.  A
 * second file, the turnstile <run_dir>/zbe.turnstile, orders them: a
 * writer takes it exclusive, then the lock, then lets the turnstile go; a
 * reader passes it (shared, let go at once) before it takes the lock.
 * While a writer waits, new readers wait at the turnstile, and the writer
 * has the lock as soon as the readers already inside are done (each holds
 * it for one zfs list).  Neither file is held while waiting for the other
 * except the writer's turnstile, and no holder of the lock waits for the
 * turnstile, so the pair cannot deadlock.
 *
 * Only the lock's descriptor is kept (h->lock_fd) and inherited by the
 * zfs children: a child that outlives a killed beadm keeps the lock held,
 * as before.  The turnstile is closed before anything runs, so a dead
 * writer can never leave it held.
 */
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* <run_dir>/leaf, opened and locked as how (EINTR retried). */
static zbe_err_t
open_locked(zbe_handle_t *h, const char *leaf, int how, int *fdp)
{
	char *path = zbe_asprintf("%s/%s", h->conf.run_dir, leaf);
	zbe_err_t err = ZBE_OK;
	int fd, rc = -1;

	*fdp = -1;
	if (path == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		while ((rc = flock(fd, how)) != 0 && errno == EINTR)
			;
	if (rc != 0) {
		err = zbe_fail(h, ZBE_ELOCK, path, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(path);
	*fdp = fd;
	return err;
}

static zbe_err_t
take(zbe_handle_t *h, int how)
{
	zbe_err_t err;
	int turn, fd = -1;

	if (h->lock_depth++ > 0 || h->dry_run)
		return ZBE_OK;
	if (mkdir(h->conf.run_dir, 0755) != 0 && errno != EEXIST) {
		h->lock_depth--;
		return zbe_fail(h, ZBE_ELOCK, h->conf.run_dir, "%s", strerror(errno));
	}
	/* a reader only passes the turnstile: shared, let go before the lock */
	if ((err = open_locked(h, "zbe.turnstile", how, &turn)) == ZBE_OK) {
		if (how != LOCK_EX)
			close(turn);
		err = open_locked(h, "zbe.lock", how, &fd);
		/* the writer has the lock (or gave up): the next one may queue */
		if (how == LOCK_EX)
			close(turn);
	}
	if (err != ZBE_OK) {
		h->lock_depth--;
		return err;
	}
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
 * appears).  They hold it only while they read the state (list: its one
 * zfs call), and a waiting writer stops new ones at the turnstile.
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
