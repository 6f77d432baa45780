/* Small allocation helpers and dataset-name arithmetic. */
#include "zbe_impl.h"

#include <stdlib.h>
#include <string.h>

char *
zbe_strdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

char *
zbe_asprintf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

char *
zbe_pool_of(const char *dataset)
{
	size_t n = strcspn(dataset, "/@");
	return strndup(dataset, n);
}

bool
zbe_ds_under(const char *name, const char *parent)
{
	size_t n = strlen(parent);

	if (strncmp(name, parent, n) != 0)
		return false;
	return name[n] == '\0' || name[n] == '/' || name[n] == '@';
}
