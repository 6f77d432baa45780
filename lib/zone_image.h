/* zone_image.h - build a minimal busybox-static root image for a zone. */
#ifndef ZBE_ZONE_IMAGE_H
#define ZBE_ZONE_IMAGE_H

#include <stddef.h>

/* Host binary copied into the image; Debian's busybox-static installs it here. */
#define ZBE_IMAGE_BUSYBOX "/bin/busybox"

/*
 * Populate `dir` (created if missing) with a minimal zone root:
 *   /bin/busybox + a relative symlink for every applet (from `busybox --list-full`),
 *   /sbin/init = busybox init with an /etc/inittab that needs no tty (it reaps zombies
 *   and halts promptly on SIGPWR, which is what lxc's shutdown sends),
 *   /etc/{hostname,passwd,group,inittab,mtab}, and /proc /sys /dev /tmp /root /var/run/zbe.
 * /etc/hostname is a placeholder ("localhost"): the real hostname comes from lxc.uts.name.
 * If extra_bin_src != NULL it is copied to dir/extra_bin_dst (absolute path inside the
 * image, parents created, mode 0755).  Existing symlinks/dirs are kept, files rewritten,
 * so the call is idempotent.  Returns 0, or -1 with a message in errbuf.  Never prints.
 */
int zbe_image_build_minimal(const char *dir, const char *extra_bin_src,
                            const char *extra_bin_dst, char *errbuf, size_t errlen);

#endif
