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

#endif
