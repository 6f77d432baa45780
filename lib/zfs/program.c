/*
 * Channel programs (OpenZFS): the library carries each program's text
 * (the .zcp files beside this one, embedded at build time) and writes it to run_dir for
 * "zfs program" to read, afresh each time (a temporary file renamed), so
 * that no installed file can go missing or be stale.
 */
#include "zfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

zbe_err_t
zbe_program_file(zbe_handle_t *h, const char *name, const char *text, char **path)
{
	char *tmp = NULL;
	zbe_err_t err;
	int fd;

	*path = NULL;
	if (h->dry_run)
		return (*path = zbe_asprintf("%s/%s", h->conf.run_dir, name)) != NULL ? ZBE_OK
		    : zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if ((err = zbe_mkdir_p(h, h->conf.run_dir)) != ZBE_OK)
		return err;
	if ((*path = zbe_asprintf("%s/%s", h->conf.run_dir, name)) == NULL ||
	    (tmp = zbe_asprintf("%s/.%s.XXXXXX", h->conf.run_dir, name)) == NULL) {
		free(*path);
		*path = NULL;
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		err = zbe_fail_sys(h, ZBE_EIO, errno, "%s", tmp);
	} else {
		size_t len = strlen(text);
		bool ok = write(fd, text, len) == (ssize_t)len;
		ok &= close(fd) == 0;
		err = ok && rename(tmp, *path) == 0 ? ZBE_OK : zbe_fail_sys(h, ZBE_EIO, errno, "%s", *path);
		if (err != ZBE_OK)
			(void)unlink(tmp);
	}
	free(tmp);
	if (err != ZBE_OK) {
		free(*path);
		*path = NULL;
	}
	return err;
}

void
zbe_program_argv(zbe_handle_t *h, zbe_argv_t *a, const char *pool, const char *path)
{
	zbe_argv_add(a, h->conf.zfs);
	zbe_argv_add(a, "program");
	zbe_argv_add(a, "-j");
	zbe_argv_add(a, pool != NULL ? pool : "");
	zbe_argv_add(a, path);
	a->oom |= pool == NULL;
}
