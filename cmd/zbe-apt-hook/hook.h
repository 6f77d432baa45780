/* zbe-apt-hook: a boot environment before each apt transaction. */
#ifndef ZBE_APT_HOOK_H
#define ZBE_APT_HOOK_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Read what apt writes to a DPkg::Pre-Install-Pkgs hook (protocol version
 * 3, also 2; version 1 is one .deb path a line) to the end, and make the
 * BE's description from it: "apt: <package> ...", at most about
 * HOOK_DESC_MAX bytes (malloc).  NULL when there is no package.
 */
#define HOOK_DESC_MAX 240
char *hook_read_packages(FILE *in);

/*
 * The apt transaction this hook runs in: "<pid>:<start time>" (malloc) of
 * the front-end, the first ancestor that is not a shell (apt runs hooks
 * through sh -c).  unattended-upgrade runs dpkg several times from one
 * process: one key for all of them.
 */
char *hook_txn_key(void);

/* What a child printed, and how it ended. */
typedef struct hook_child {
	char *out, *err; /* malloc, NUL-terminated */
	int status;      /* exit status; -1: it did not exit in time, or was not started */
	bool timed_out;
} hook_child_t;

/* Run argv (no shell), stdin /dev/null, killed after timeout seconds. */
void hook_run(char *const argv[], unsigned timeout, hook_child_t *c);
void hook_child_free(hook_child_t *c);
/* The last non-empty line of c->err, or why it failed (a static buffer). */
const char *hook_child_why(const hook_child_t *c);

#endif
