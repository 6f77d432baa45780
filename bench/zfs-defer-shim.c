/*
 * zfs-defer-shim: stands in for zfs (the `zfs` key of zbe.conf) in the
 * timed benchmark runs.  Every call is exec'd to the real zfs unchanged,
 * except "zfs destroy -d -r SNAP": zfs-fuse 0.7.0 deadlocks on it when a
 * descendant's SNAP has a clone (which is exactly what beadm create leaves
 * when it carries two or more zones).  That one call appends SNAP to the
 * file $ZBE_SHIM_PENDING and exits 0; bench/run later performs its effect
 * outside the timed region ("zfs destroy -d" of each snapshot, one by one).
 *
 *   ZBE_SHIM_REAL     the real zfs (default: zfs from PATH)
 *   ZBE_SHIM_PENDING  the file to append to (required for the one call)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *real = getenv("ZBE_SHIM_REAL");

	if (real == NULL || *real == '\0')
		real = "zfs";
	if (argc == 5 && strcmp(argv[1], "destroy") == 0 && strcmp(argv[2], "-d") == 0 &&
	    strcmp(argv[3], "-r") == 0 && strchr(argv[4], '@') != NULL) {
		const char *pending = getenv("ZBE_SHIM_PENDING");
		int fd = pending != NULL ? open(pending, O_WRONLY | O_APPEND | O_CREAT, 0644) : -1;
		if (fd < 0) {
			fprintf(stderr, "zfs-defer-shim: ZBE_SHIM_PENDING is not a writable file\n");
			return 1;
		}
		dprintf(fd, "%s\n", argv[4]);
		close(fd);
		return 0;
	}
	argv[0] = (char *)real;
	execvp(real, argv);
	perror(real);
	return 127;
}
