/* beadm mount, beadm unmount (umount) */
#include "beadm.h"

#include <stdlib.h>
#include <unistd.h>

int
beadm_mount(beadm_ctx_t *c, int argc, char **argv)
{
	char *where = NULL;

	if (getopt(argc, argv, "") != -1)
		return beadm_usage_error("mount", "unknown option");
	if (argc - optind < 1 || argc - optind > 2)
		return beadm_usage_error("mount", "expected beName [mountpoint]");
	const char *mp = argc - optind == 2 ? argv[optind + 1] : NULL;
	char *host_mp = NULL;
	if (c->zone_root != NULL) {
		/* inside a zone: its path, or a new directory in its /tmp */
		char tmpl[] = "/tmp/zbe-mnt.XXXXXX";
		if (mp == NULL) {
			char *t = beadm_zone_path(c, tmpl);
			if (t == NULL || mkdtemp(t) == NULL) {
				free(t);
				return beadm_error("mount", "cannot make a directory in the zone's /tmp");
			}
			host_mp = t;
		} else if ((host_mp = beadm_zone_path(c, mp)) == NULL) {
			return 1;
		}
	}
	if (zbe_mount(c->h, argv[optind], host_mp != NULL ? host_mp : mp, &where) != ZBE_OK) {
		if (mp == NULL && host_mp != NULL)
			(void)rmdir(host_mp);
		free(host_mp);
		return beadm_fail(c);
	}
	if (mp == NULL && where != NULL)
		printf("%s\n", beadm_zone_view(c, where));
	free(where);
	free(host_mp);
	return 0;
}

int
beadm_unmount(beadm_ctx_t *c, int argc, char **argv)
{
	bool force = false;
	int opt;

	while ((opt = getopt(argc, argv, "f")) != -1) {
		if (opt != 'f')
			return beadm_usage_error("unmount", "unknown option");
		force = true;
	}
	if (argc - optind != 1)
		return beadm_usage_error("unmount", "expected beName or mountpoint");
	const char *what = argv[optind];
	char *host = NULL;
	if (c->zone_root != NULL && what[0] == '/' && (host = beadm_zone_path(c, what)) == NULL)
		return 1;
	int rc = zbe_unmount(c->h, host != NULL ? host : what, force) == ZBE_OK ? 0 : beadm_fail(c);
	free(host);
	return rc;
}
