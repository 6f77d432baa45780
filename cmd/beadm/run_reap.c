#include "run_reap.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
run_reap(const char *root)
{
	struct stat rs, ps;
	int killed = 0;

	if (stat(root, &rs) != 0)
		return 0;
	for (int round = 0; round < 50; round++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		int found = 0;

		if (d == NULL)
			return killed;
		while ((e = readdir(d)) != NULL) {
			char path[64], *end;
			long pid = strtol(e->d_name, &end, 10);

			if (*end != '\0' || pid <= 0 || pid == (long)getpid())
				continue;
			snprintf(path, sizeof(path), "/proc/%ld/root", pid);
			if (stat(path, &ps) != 0 || ps.st_dev != rs.st_dev || ps.st_ino != rs.st_ino)
				continue;
			if (kill((pid_t)pid, SIGKILL) == 0) {
				found++;
				if (round == 0)
					killed++;
			}
		}
		closedir(d);
		if (found == 0)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	}
	return killed;
}
