/* Where zoneadm finds its broker (itself) and the in-zone beadm client; its log hook. */
#include "zoneadm.h"
#include "zbe_build.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Warnings (an interrupted operation repaired, a zone not carried) on
 * stderr; zoneadm has no -v, so traces stay quiet. */
static void
log_hook(void *arg, zbe_log_level_t lvl, const char *msg)
{
	(void)arg;
	if (lvl == ZBE_LOG_WARN)
		fprintf(stderr, "zoneadm: warning: %s\n", msg);
}

void
zoneadm_setup(zbe_handle_t *h)
{
	zbe_set_log_hook(h, log_hook, NULL);
	char self[PATH_MAX], dir[PATH_MAX], client[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return;
	self[n] = '\0';
	const char *broker[] = { self, "broker", NULL };
	zbe_set_broker(h, broker);
	const char *prestart[] = { self, "prestart", NULL };
	zbe_set_prestart_hook(h, prestart);
	/* the build tree first (tests run there), then the installed client */
	snprintf(dir, sizeof(dir), "%s", self);
	snprintf(client, sizeof(client), "%s/../beadm/beadm-zone", dirname(dir));
	if (access(client, X_OK) != 0)
		snprintf(client, sizeof(client), "%s/beadm-zone", ZBE_LIBEXECDIR);
	if (access(client, X_OK) == 0)
		zbe_set_zone_client(h, client);
	/* the apt hook a Debian zone gets: the build's plain one, or the installed one */
	snprintf(dir, sizeof(dir), "%s", self);
	snprintf(client, sizeof(client), "%s/../zbe-apt-hook/zbe-apt-hook-zone", dirname(dir));
	if (access(client, X_OK) != 0)
		snprintf(client, sizeof(client), "%s/zbe-apt-hook", ZBE_LIBEXECDIR);
	if (access(client, X_OK) == 0)
		zbe_set_zone_apt_hook(h, client);
}
