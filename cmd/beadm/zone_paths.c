/*
 * Paths a zone names (beadm mount ZBE2 /a) live below the zone's root on
 * the host.  A path is taken only when it is absolute, has no "." or ".."
 * component, and its existing part resolves (symlinks followed) to a
 * place still below the zone root: a symlink in the zone cannot point a
 * mount at the host's /etc.
 */
#include "beadm.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static bool
components_ok(const char *p)
{
	if (p[0] != '/' || strlen(p) >= PATH_MAX / 2)
		return false;
	for (const char *s = p; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		size_t n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n;
	}
	return true;
}

char *
beadm_zone_path(beadm_ctx_t *c, const char *path)
{
	char probe[PATH_MAX], real[PATH_MAX], rootreal[PATH_MAX];
	size_t rl;

	if (!components_ok(path)) {
		beadm_error(path, "not an absolute path without '.' or '..' components");
		return NULL;
	}
	if (realpath(c->zone_root, rootreal) == NULL) {
		beadm_error(c->zone_root, strerror(errno));
		return NULL;
	}
	rl = strlen(rootreal);
	snprintf(probe, sizeof(probe), "%s%s", c->zone_root, path);
	/* the longest existing prefix must resolve inside the zone root */
	char *cut = probe + strlen(probe);
	for (;;) {
		if (realpath(probe, real) != NULL)
			break;
		while (cut > probe && *cut != '/')
			cut--;
		if (cut <= probe + strlen(c->zone_root)) {
			snprintf(real, sizeof(real), "%s", rootreal);
			break;
		}
		*cut = '\0';
	}
	if (strncmp(real, rootreal, rl) != 0 || (real[rl] != '\0' && real[rl] != '/')) {
		beadm_error(path, "resolves outside the zone");
		return NULL;
	}
	char *out = NULL;
	if (asprintf(&out, "%s%s", c->zone_root, path) < 0)
		return NULL;
	return out;
}

const char *
beadm_zone_view(const beadm_ctx_t *c, const char *path)
{
	size_t rl;

	if (c->zone_root == NULL || path == NULL)
		return path;
	rl = strlen(c->zone_root);
	if (strncmp(path, c->zone_root, rl) != 0)
		return NULL;
	return path[rl] == '\0' ? "/" : path + rl;
}
