/* What the commands share on their command lines. */
#include "cmdline.h"
#include "zbe_build.h"

#include <stdio.h>
#include <string.h>

int
cmdline_help_version(int argc, char **argv, const char *tool, void (*help)(void))
{
	if (argc < 2)
		return -1;
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help();
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("%s (zbe) %s\n", tool, ZBE_VERSION);
		return 0;
	}
	return -1;
}
