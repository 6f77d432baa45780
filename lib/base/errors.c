/* The error enum's messages, and how the handle records an error. */
#include "base.h"

#include <string.h>

static const char *const messages[ZBE_ERR_COUNT] = {
	[ZBE_OK] = "success",
	[ZBE_ENOMEM] = "out of memory",
	[ZBE_EINVAL] = "invalid argument",
	[ZBE_ENAME] = "invalid name",
	[ZBE_ECONFIG] = "configuration error",
	[ZBE_ENOENT] = "does not exist",
	[ZBE_EEXIST] = "already exists",
	[ZBE_ERUNNING] = "is the running boot environment",
	[ZBE_EBOOTFS] = "is the boot environment active on reboot",
	[ZBE_EMOUNTED] = "is mounted",
	[ZBE_ENOTMOUNTED] = "is not mounted",
	[ZBE_EHASSNAPS] = "has snapshots",
	[ZBE_EHASCLONES] = "has dependent clones",
	[ZBE_ENOROOT] = "cannot determine the running boot environment",
	[ZBE_EZFS] = "zfs command failed",
	[ZBE_ESPAWN] = "cannot run command",
	[ZBE_ELOCK] = "cannot take the lock",
	[ZBE_EIO] = "system call failed",
	[ZBE_EPERM] = "not permitted",
	[ZBE_EBUSY] = "busy",
	[ZBE_ESELECT] = "no single active zone boot environment",
	[ZBE_EZONE] = "zone operation failed",
	[ZBE_ECANCELED] = "canceled",
	[ZBE_ENOTSUP] = "not supported",
	[ZBE_EINTR] = "interrupted",
	[ZBE_EINCOMPLETE] = "incomplete",
};

const char *
zbe_strerror(zbe_err_t err)
{
	if ((int)err < 0 || err >= ZBE_ERR_COUNT || messages[err] == NULL)
		return "unknown error";
	return messages[err];
}

zbe_err_t
zbe_fail(zbe_handle_t *h, zbe_err_t err, const char *what, const char *fmt, ...)
{
	char why[768];

	if (fmt != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	} else {
		snprintf(why, sizeof(why), "%s", zbe_strerror(err));
	}
	h->err = err;
	if (what != NULL && *what != '\0')
		snprintf(h->errmsg, sizeof(h->errmsg), "%s: %s", what, why);
	else
		snprintf(h->errmsg, sizeof(h->errmsg), "%s", why);
	return err;
}

zbe_err_t
zbe_fail_sys(zbe_handle_t *h, zbe_err_t err, int e, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e != 0)
		return zbe_fail(h, err, NULL, "%s: %s", msg, strerror(e));
	return zbe_fail(h, err, NULL, "%s", msg);
}

zbe_err_t
zbe_error_prepend(zbe_handle_t *h, const char *fmt, ...)
{
	char ctx[512], old[sizeof(h->errmsg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, h->errmsg, sizeof(old));
	snprintf(h->errmsg, sizeof(h->errmsg), "%s: %s", ctx, old[0] != '\0' ? old : zbe_strerror(h->err));
	return h->err;
}

void
zbe_error_save(const zbe_handle_t *h, zbe_saved_error_t *s)
{
	s->err = h->err;
	memcpy(s->msg, h->errmsg, sizeof(s->msg));
}

zbe_err_t
zbe_error_restore(zbe_handle_t *h, const zbe_saved_error_t *s)
{
	h->err = s->err;
	memcpy(h->errmsg, s->msg, sizeof(h->errmsg));
	return s->err;
}

void
zbe_clear_error(zbe_handle_t *h)
{
	h->err = ZBE_OK;
	h->errmsg[0] = '\0';
}

void
zbe_log(zbe_handle_t *h, zbe_log_level_t lvl, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if (h->log_fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->log_fn(h->log_arg, lvl, msg);
}

zbe_err_t
zbe_errno(const zbe_handle_t *h)
{
	return h->err;
}

const char *
zbe_errmsg(const zbe_handle_t *h)
{
	return h->errmsg[0] != '\0' ? h->errmsg : zbe_strerror(h->err);
}
