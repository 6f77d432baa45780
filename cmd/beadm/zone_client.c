/*
 * beadm inside a zone: hands its arguments to the zone's broker through
 * /var/run/zbe/beadm.sock and prints what comes back.  Static and libc
 * only, so it runs in any zone image.
 */
#include "broker_proto.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* destroy asks first on a terminal, as in the global zone */
static int
confirm_destroy(int argc, char **argv)
{
	int i = 1;
	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "destroy") != 0)
		i++;
	if (i >= argc || strcmp(argv[i], "destroy") != 0 || !isatty(0))
		return 1;
	const char *target = NULL;
	for (int j = i + 1; j < argc; j++) {
		if (argv[j][0] == '-' && strchr(argv[j], 'F') != NULL)
			return 1;
		if (argv[j][0] != '-')
			target = argv[j];
	}
	char answer[16] = "";
	printf("Are you sure you want to destroy %s?\nThis action cannot be undone (y/[n]): ",
	    target ? target : "it");
	fflush(stdout);
	return fgets(answer, sizeof(answer), stdin) != NULL && (answer[0] == 'y' || answer[0] == 'Y');
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char *req, hdr[5];
	size_t len = 8, off;
	int fd, status = 1;

	if (argc - 1 > ZBE_PROTO_MAX_ARGS) {
		fprintf(stderr, "beadm: too many arguments\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		size_t l = strlen(argv[i]);
		if (l > ZBE_PROTO_MAX_ARG) {
			fprintf(stderr, "beadm: argument too long\n");
			return 2;
		}
		len += 4 + l;
	}
	if (len > ZBE_PROTO_MAX_REQUEST) {
		fprintf(stderr, "beadm: request too long\n");
		return 2;
	}
	if (!confirm_destroy(argc, argv)) {
		fprintf(stderr, "beadm: destroy canceled\n");
		return 1;
	}
	if ((req = malloc(len)) == NULL)
		return 1;
	memcpy(req, ZBE_PROTO_MAGIC, 4);
	put_u32(req + 4, (uint32_t)(argc - 1));
	off = 8;
	for (int i = 1; i < argc; i++) {
		size_t l = strlen(argv[i]);
		put_u32(req + off, (uint32_t)l);
		memcpy(req + off + 4, argv[i], l);
		off += 4 + l;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ZBE_PROTO_SOCKET);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "beadm: %s: %s (is this a zone with boot environments?)\n", ZBE_PROTO_SOCKET,
		    strerror(errno));
		free(req);
		return 1;
	}
	if (write_all(fd, req, len) != 0) {
		fprintf(stderr, "beadm: broker: %s\n", strerror(errno));
		free(req);
		return 1;
	}
	free(req);
	for (;;) {
		if (read_all(fd, hdr, 5) != 0) {
			fprintf(stderr, "beadm: broker closed the connection\n");
			break;
		}
		uint32_t l = get_u32(hdr + 1);
		if (l > 16 * 1024 * 1024) {
			fprintf(stderr, "beadm: broker: oversized reply\n");
			break;
		}
		char *buf = malloc(l + 1);
		if (buf == NULL || read_all(fd, buf, l) != 0) {
			free(buf);
			fprintf(stderr, "beadm: broker closed the connection\n");
			break;
		}
		if (hdr[0] == 'x' && l == 4) {
			status = (int)get_u32((unsigned char *)buf);
			free(buf);
			break;
		}
		(void)write_all(hdr[0] == '2' ? 2 : 1, buf, l);
		free(buf);
	}
	close(fd);
	return status;
}
