/*
 * The broker's side of the wire protocol (broker_proto.h), with the
 * deadlines that keep a stalled or trickling client from holding it:
 * the whole request within REQUEST_DEADLINE_S of the connect, the whole
 * reply taken within REPLY_DEADLINE_S of its start.  Apart from
 * broker.c so that the request parser can be fuzzed (fuzz_request.c).
 */
#include "broker_io.h"
#include "broker_proto.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define REQUEST_DEADLINE_S 5
#define REPLY_DEADLINE_S 10

/* Milliseconds left until deadline (CLOCK_MONOTONIC), 0 when past. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms;
}

static struct timespec
deadline_in(int seconds)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += seconds;
	return t;
}

/* Wait for fd to be ready for events before deadline; false when it is not. */
static bool
ready_by(int fd, short events, const struct timespec *deadline)
{
	for (;;) {
		struct pollfd p = { fd, events, 0 };
		int ms = ms_left(deadline);
		if (ms == 0)
			return false;
		int rc = poll(&p, 1, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		return rc > 0;
	}
}

/* All of len by the deadline, or -1: a stalled client is dropped. */
static int
read_by(int fd, void *buf, size_t len, const struct timespec *deadline)
{
	char *p = buf;

	while (len > 0) {
		if (!ready_by(fd, POLLIN, deadline))
			return -1;
		ssize_t n = recv(fd, p, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The deadline of the reply being sent; a client that stops reading
 * loses the rest of it. */
static struct timespec reply_deadline;

void
broker_reply_starts(void)
{
	reply_deadline = deadline_in(REPLY_DEADLINE_S);
}

static int
send_by(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		if (!ready_by(fd, POLLOUT, &reply_deadline))
			return -1;
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
broker_send_frame(int fd, char type, const void *data, uint32_t len)
{
	unsigned char hdr[5] = { (unsigned char)type };

	zbe_proto_put_u32(hdr + 1, len);

	if (send_by(fd, hdr, 5) == 0)
		(void)send_by(fd, data, len);
}

void
broker_reply_error(int fd, int status, const char *msg)
{
	broker_reply_starts();
	unsigned char st[4] = { (unsigned char)status, 0, 0, 0 };
	char line[512];
	int n = snprintf(line, sizeof(line), "beadm: %s\n", msg);

	broker_send_frame(fd, '2', line, (uint32_t)n);
	broker_send_frame(fd, 'x', st, 4);
}

static void
bad_request(int fd, const struct timespec *deadline)
{
	broker_reply_error(fd, 2, ms_left(deadline) == 0 ? "request not received in time" : "malformed request");
}

char **
broker_read_request(int fd, int *argc_out)
{
	struct timespec deadline = deadline_in(REQUEST_DEADLINE_S);
	unsigned char hdr[8], lenb[4];
	size_t total = 8;

	if (read_by(fd, hdr, 8, &deadline) != 0 || memcmp(hdr, ZBE_PROTO_MAGIC, 4) != 0) {
		bad_request(fd, &deadline);
		return NULL;
	}
	uint32_t argc = zbe_proto_u32(hdr + 4);
	if (argc > ZBE_PROTO_MAX_ARGS) {
		broker_reply_error(fd, 2, "too many arguments");
		return NULL;
	}
	char **argv = calloc(argc + 2, sizeof(char *));
	if (argv == NULL)
		return NULL;
	argv[0] = "beadm";
	for (uint32_t i = 0; i < argc; i++) {
		/* argv[i + 1] is NULL until set: broker_request_free stops there */
		if (read_by(fd, lenb, 4, &deadline) != 0) {
			bad_request(fd, &deadline);
			broker_request_free(argv);
			return NULL;
		}
		uint32_t l = zbe_proto_u32(lenb);
		total += 4 + l;
		if (l > ZBE_PROTO_MAX_ARG || total > ZBE_PROTO_MAX_REQUEST) {
			broker_reply_error(fd, 2, "request too large");
			broker_request_free(argv);
			return NULL;
		}
		char *a = malloc(l + 1);
		if (a == NULL || read_by(fd, a, l, &deadline) != 0) {
			bad_request(fd, &deadline);
			free(a);
			broker_request_free(argv);
			return NULL;
		}
		a[l] = '\0';
		if (strlen(a) != l) {
			broker_reply_error(fd, 2, "malformed request: NUL in an argument");
			free(a);
			broker_request_free(argv);
			return NULL;
		}
		argv[i + 1] = a;
	}
	*argc_out = (int)argc + 1;
	return argv;
}

void
broker_request_free(char **argv)
{
	if (argv == NULL)
		return;
	for (size_t i = 1; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}
