/*
 * Paths a zone names (beadm mount ZBE2 /a) live below the zone's root on
 * the host.  Here they are only checked for their form (absolute, no "."
 * or ".." component, no control character) to give a clear message early;
 * the library resolves them inside the zone root without following any
 * symlink, at the moment it mounts (lib/be/mount_confined.c).
 */
#include "beadm.h"

#include <limits.h>
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

bool
beadm_zone_path_ok(const char *path)
{
	if (!components_ok(path)) {
		beadm_error(path, "not an absolute path without '.' or '..' components");
		return false;
	}
	return true;
}

const char *
beadm_zone_view(const beadm_ctx_t *c, const char *path)
{
	size_t rl;

	if (c->zone_root_dir == NULL || path == NULL)
		return path;
	rl = strlen(c->zone_root_dir);
	if (strncmp(path, c->zone_root_dir, rl) != 0)
		return NULL;
	return path[rl] == '\0' ? "/" : path + rl;
}
