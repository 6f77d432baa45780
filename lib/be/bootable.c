/*
 * What beadm activate checks before it changes anything: a host BE boots
 * only with a kernel and its initramfs in its /boot (Debian's vmlinuz-V
 * with initrd.img-V, dracut's initramfs-V.img).  A BE that is not mounted
 * is mounted in a new directory of run_dir for the look (mount.c, children moved
 * onto directories opened beneath its root) and unmounted after it.  Its
 * /boot is opened beneath the BE's root, never through a symlink, and only
 * regular files count.  When the running host's /boot is a file system
 * of its own (a boot pool, an ESP), the BEs share it and no BE's kernels
 * are in the BE: nothing to check.
 */
#include "be.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KERNEL_PREFIX "vmlinuz-"

static bool
regular_at(int dirfd, const char *name)
{
	struct stat sb;

	return fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
}

/* Is there a vmlinuz-V with initrd.img-V or initramfs-V.img in root/boot?
 * -1 with errno when /boot cannot be read (missing: 0). */
static int
has_kernel(const char *root)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int found = 0;

	if (rootfd < 0)
		return -1;
	int bootfd = zbe_openat2(rootfd, "boot", O_RDONLY | O_DIRECTORY | O_CLOEXEC,
	    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	close(rootfd);
	if (bootfd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 0 : -1;
	DIR *d = fdopendir(bootfd);
	if (d == NULL) {
		close(bootfd);
		return -1;
	}
	for (struct dirent *e; found == 0 && (e = readdir(d)) != NULL;) {
		const char *v = e->d_name + strlen(KERNEL_PREFIX);
		char a[300], b[300];
		if (strncmp(e->d_name, KERNEL_PREFIX, strlen(KERNEL_PREFIX)) != 0 || *v == '\0' ||
		    !regular_at(dirfd(d), e->d_name))
			continue;
		snprintf(a, sizeof(a), "initrd.img-%s", v);
		snprintf(b, sizeof(b), "initramfs-%s.img", v);
		found = regular_at(dirfd(d), a) || regular_at(dirfd(d), b);
	}
	closedir(d);
	return found;
}

/* The running host's /boot is another file system than its root, and no
 * dataset of the running BE. */
static bool
boot_is_separate(zbe_handle_t *h, const zbe_state_t *st)
{
	const char *root = h->conf.system_root;
	char *boot = zbe_asprintf("%s/boot", strcmp(root, "/") == 0 ? "" : root);
	struct stat rs, bs;
	bool separate = false;

	if (boot != NULL && stat(root, &rs) == 0 && stat(boot, &bs) == 0 && rs.st_dev != bs.st_dev) {
		char *src = zbe_mounted_dataset_at(boot);
		separate = src == NULL || st->host_running == NULL || !zbe_ds_under(src, st->host_running);
		free(src);
	}
	free(boot);
	return separate;
}

zbe_err_t
zbe_check_bootable(zbe_handle_t *h, const zbe_state_t *st, const zbe_ds_t *be)
{
	const char *name = zbe_be_name(st, be);
	char *at = zbe_dataset_mountpoint(be->name), *made = NULL;
	zbe_err_t err = ZBE_OK;

	if (h->scope != ZBE_SCOPE_HOST || boot_is_separate(h, st)) {
		free(at);
		return ZBE_OK;
	}
	if (at == NULL) {
		/* in run_dir (a tmpfs on a real host): what a kill leaves there goes
		 * with the next boot; a dry run mounts nothing and only says so */
		if ((err = zbe_mkdir_p(h, h->conf.run_dir)) != ZBE_OK ||
		    (made = zbe_asprintf("%s/look.XXXXXX", h->conf.run_dir)) == NULL) {
			free(made);
			return err != ZBE_OK ? err : zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		}
		if (!h->dry_run && mkdtemp(made) == NULL) {
			err = zbe_fail(h, ZBE_EIO, made, "%s", strerror(errno));
			free(made);
			return err;
		}
		if ((err = zbe_mount_locked(h, st, be, made, NULL)) != ZBE_OK || h->dry_run) {
			if (!h->dry_run)
				(void)rmdir(made);
			free(made);
			return err;
		}
	}
	int found = has_kernel(at != NULL ? at : made);
	int saved = errno;
	if (made != NULL) {
		zbe_err_t uerr = zbe_unmount_tree(h, be->name, false);
		(void)rmdir(made);
		if (uerr != ZBE_OK)
			err = uerr;
	}
	if (err == ZBE_OK && found < 0)
		err = zbe_fail(h, ZBE_EIO, name, "cannot activate: cannot read its /boot: %s", strerror(saved));
	else if (err == ZBE_OK && found == 0)
		err = zbe_fail(h, ZBE_EINVAL, name,
		    "cannot activate: no kernel /boot/" KERNEL_PREFIX "* with its initramfs /boot/initrd.img-* in it");
	free(at);
	free(made);
	return err;
}
