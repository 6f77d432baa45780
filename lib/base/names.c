/*
 * Name rules.  Every BE, snapshot and zone name is checked here before it
 * can reach a command line: [A-Za-z0-9][A-Za-z0-9._:-]*, at most 64
 * characters, and never "." or "..".  The first-character rule keeps
 * names from being read as options ("-r") by zfs.  Zone names become
 * hostnames and path components as well: no ':', and never "global".
 */
#include "base.h"

#include <string.h>

#define ZBE_NAME_MAX 64

static bool
name_char(char c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '.' || c == '_' || c == ':' || c == '-');
}

bool
zbe_name_valid(const char *name)
{
	size_t len;

	if (name == NULL)
		return false;
	len = strlen(name);
	if (len == 0 || len > ZBE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(name[i], i == 0))
			return false;
	return strstr(name, "..") == NULL;
}

bool
zbe_zone_name_valid(const char *name)
{
	return zbe_name_valid(name) && strchr(name, ':') == NULL && strcmp(name, "global") != 0;
}

bool
zbe_ifname_valid(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n > ZBE_IFNAME_MAX || name[0] == '-' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}
