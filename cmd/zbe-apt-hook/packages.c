/*
 * The DPkg::Pre-Install-Pkgs protocol (apt.conf(5)).  Versions 2 and 3
 * start with "VERSION <n>", then apt's configuration as "key=value" lines
 * up to an empty line, then one line a package:
 *   v2: name old-version direction new-version action
 *   v3: name old-version old-arch old-multiarch direction new-version
 *       new-arch new-multiarch action
 * where action is a .deb path, **CONFIGURE** or **REMOVE**.  Version 1 is
 * one .deb path a line.  Only the package names are kept.
 */
#include "hook.h"

#include <stdlib.h>
#include <string.h>

/* Package names as Debian spells them, with an optional :arch. */
static bool
name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 100)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr(".+-:", s[i]) != NULL))
			return false;
	return true;
}

/* The package a line names (a pointer into line, length *n), or NULL. */
static const char *
package_of(const char *line, int version, size_t *n)
{
	if (version >= 2) {
		*n = strcspn(line, " ");
		return line;
	}
	/* v1: /var/cache/apt/archives/<name>_<version>_<arch>.deb */
	const char *base = strrchr(line, '/');
	base = base != NULL ? base + 1 : line;
	*n = strcspn(base, "_");
	return base;
}

/* Append name to the description unless it is there already. */
static void
add_name(char *desc, size_t *len, unsigned *more, const char *name, size_t n)
{
	char word[128];

	snprintf(word, sizeof(word), " %.*s ", (int)n, name);
	/* desc is "apt: a b c": look for " a " with a space after it */
	desc[*len] = ' ';
	desc[*len + 1] = '\0';
	bool seen = strstr(desc + 4, word) != NULL;
	desc[*len] = '\0';
	if (seen)
		return;
	if (*len + 1 + n > HOOK_DESC_MAX) {
		(*more)++;
		return;
	}
	memcpy(desc + *len, word, n + 1);
	*len += n + 1;
	desc[*len] = '\0';
}

char *
hook_read_packages(FILE *in)
{
	char *line = NULL, *desc = malloc(HOOK_DESC_MAX + 64);
	size_t cap = 0, len = 4;
	unsigned more = 0, lineno = 0;
	int version = 1;
	bool in_config = false, any = false;

	if (desc == NULL)
		return NULL;
	memcpy(desc, "apt:", 5);
	while (getline(&line, &cap, in) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		if (lineno++ == 0 && strncmp(line, "VERSION ", 8) == 0) {
			version = atoi(line + 8);
			in_config = true;
			continue;
		}
		if (in_config) {
			in_config = *line != '\0';
			continue;
		}
		size_t n;
		const char *name = package_of(line, version, &n);
		if (!name_ok(name, n))
			continue;
		add_name(desc, &len, &more, name, n);
		any = true;
	}
	free(line);
	if (!any) {
		free(desc);
		return NULL;
	}
	if (more > 0)
		snprintf(desc + len, 64, " and %u more", more);
	return desc;
}
