/*
 * The apt transaction: its front-end process, named by pid and start time
 * (a pid alone comes back after a reboot or a wrap), from /proc/<pid>/stat.
 */
#include "hook.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* apt runs a hook as "sh -c <command>"; an administrator's wrapper may add one more. */
static bool
is_shell(const char *comm)
{
	return strcmp(comm, "sh") == 0 || strcmp(comm, "dash") == 0 || strcmp(comm, "bash") == 0;
}

/* comm, ppid and starttime (field 22) of pid; false if it is gone. */
static bool
read_stat(long pid, char *comm, size_t commlen, long *ppid, unsigned long long *start)
{
	char path[64], buf[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses */
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (open == NULL || close == NULL || close < open)
		return false;
	snprintf(comm, commlen, "%.*s", (int)(close - open - 1), open + 1);
	char *p = close + 2, *save = NULL;
	/* fields from 3 (state) on */
	for (int field = 3; (p = strtok_r(field == 3 ? p : NULL, " ", &save)) != NULL; field++) {
		if (field == 4)
			*ppid = strtol(p, NULL, 10);
		if (field == 22) {
			*start = strtoull(p, NULL, 10);
			return true;
		}
	}
	return false;
}

char *
hook_txn_key(void)
{
	long pid = (long)getppid(), ppid = 0;
	unsigned long long start = 0;
	char comm[64], *key = NULL;

	for (int hops = 0; hops < 4; hops++) {
		if (!read_stat(pid, comm, sizeof(comm), &ppid, &start))
			return NULL;
		if (!is_shell(comm) || ppid <= 1)
			break;
		pid = ppid;
	}
	if (asprintf(&key, "%ld:%llu", pid, start) < 0)
		return NULL;
	return key;
}
