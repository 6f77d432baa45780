/*
 * The zone broker's wire protocol, on a UNIX stream socket.
 * Request:  "ZBE1" u32 argc, then argc times (u32 len, len bytes): the
 *           arguments after "beadm".  Limits below; anything else is refused.
 * Reply:    frames (u8 type, u32 len, len bytes): '1' stdout text,
 *           '2' stderr text, 'x' the exit status (u32), which ends it.
 * Integers are little-endian.  Header only: the static in-zone client
 * includes it without the library.
 */
#ifndef ZBE_BROKER_PROTO_H
#define ZBE_BROKER_PROTO_H

#define ZBE_PROTO_MAGIC "ZBE1"
#define ZBE_PROTO_MAX_ARGS 64
#define ZBE_PROTO_MAX_ARG 4096
#define ZBE_PROTO_MAX_REQUEST 65536
#define ZBE_PROTO_SOCKET "/var/run/zbe/beadm.sock"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

/* All of len, or -1 (end of file, an error, or a timeout). */
static inline int
zbe_proto_read(int fd, void *buf, size_t len)
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

static inline int
zbe_proto_write(int fd, const void *buf, size_t len)
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

static inline void
zbe_proto_put_u32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static inline uint32_t
zbe_proto_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
