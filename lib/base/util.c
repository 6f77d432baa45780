/* Small allocation helpers, dataset-name arithmetic, mkdir -p and uuids. */
#include "base.h"

#include <errno.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <uuid/uuid.h>

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

void
zbe_strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
zbe_new_uuid(char out[37])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

int
zbe_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };
	long fd;

	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return (int)fd;
}
