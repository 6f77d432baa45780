/* zlogin zone [command [argument...]]: run a command (or a shell) in a zone. */
#include "zbe.h"
#include "zbe_build.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	char errbuf[1024];
	zbe_err_t err;
	int status = 0;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: zlogin zone [command [argument...]]\n");
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("zlogin (zbe) %s\n", ZBE_VERSION);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: zlogin zone [command [argument...]]\n");
		return 2;
	}
	zbe_handle_t *h = zbe_open(NULL, &err, errbuf, sizeof(errbuf));
	if (h == NULL) {
		fprintf(stderr, "zlogin: %s\n", errbuf);
		return 1;
	}
	char *shell[] = { "/bin/sh", "-l", NULL };
	char *const *cmd = argc > 2 ? argv + 2 : shell;
	if (zbe_zone_login(h, argv[1], cmd, &status) != ZBE_OK) {
		fprintf(stderr, "zlogin: %s\n", zbe_errmsg(h));
		status = 1;
	}
	zbe_close(h);
	return status;
}
