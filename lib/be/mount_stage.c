/*
 * The staging area of a mount: a private tmpfs below run_dir, which no
 * zone can reach.  A dataset is mounted in it first, at a path only the
 * host controls, and then moved (move_mount) onto a directory that was
 * opened by descriptor: no path string that passes through a BE's own
 * file tree (which a zone may have filled with symlinks) ever reaches
 * zfs or mount(2).  Private, because move_mount refuses to move a mount
 * whose parent is shared.
 */
#include "be.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

void
zbe_stage_close(zbe_stage_t *s)
{
	if (s->dir != NULL) {
		if (umount2(s->dir, 0) != 0)
			(void)umount2(s->dir, MNT_DETACH);
		(void)rmdir(s->dir);
	}
	free(s->slot);
	free(s->tree);
	free(s->dir);
	*s = (zbe_stage_t){ 0 };
}

zbe_err_t
zbe_stage_open(zbe_handle_t *h, zbe_stage_t *s)
{
	zbe_err_t err;

	*s = (zbe_stage_t){ 0 };
	if ((err = zbe_mkdir_p(h, h->conf.run_dir)) != ZBE_OK)
		return err;
	if ((s->dir = zbe_asprintf("%s/stage.XXXXXX", h->conf.run_dir)) == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	if (mkdtemp(s->dir) == NULL) {
		err = zbe_fail(h, ZBE_EIO, s->dir, "%s", strerror(errno));
		free(s->dir);
		s->dir = NULL;
		return err;
	}
	if (mount("zbe-stage", s->dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=64k") != 0) {
		err = zbe_fail(h, ZBE_EIO, s->dir, "cannot mount a staging tmpfs: %s", strerror(errno));
		(void)rmdir(s->dir);
		free(s->dir);
		s->dir = NULL;
		return err;
	}
	if (mount(NULL, s->dir, NULL, MS_PRIVATE, NULL) != 0 ||
	    (s->slot = zbe_asprintf("%s/be", s->dir)) == NULL || mkdir(s->slot, 0755) != 0 ||
	    (s->tree = zbe_asprintf("%s/tree", s->dir)) == NULL || mkdir(s->tree, 0755) != 0) {
		err = zbe_fail(h, ZBE_EIO, s->dir, "cannot prepare the staging directory: %s", strerror(errno));
		zbe_stage_close(s);
		return err;
	}
	return ZBE_OK;
}

int
zbe_move_onto(int fromfd, int tofd)
{
	return move_mount(fromfd, "", tofd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}
