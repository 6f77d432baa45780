/* Small allocation helpers and dataset-name arithmetic. */
#include "zbe_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
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

/* mkdir -p: every missing directory of dir. */
zbe_err_t
zbe_mkdir_p(zbe_handle_t *h, const char *dir)
{
	char *p = strdup(dir);

	if (p == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				zbe_err_t e = zbe_fail(h, ZBE_EIO, p, "%s", strerror(errno));
				free(p);
				return e;
			}
			if ((*s = c) == '\0')
				break;
		}
	}
	free(p);
	return ZBE_OK;
}
