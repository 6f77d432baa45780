/* The broker's reading of requests and sending of replies (broker_io.c). */
#ifndef ZONEADM_BROKER_IO_H
#define ZONEADM_BROKER_IO_H

#include <stdint.h>

/* The request's arguments (argv[0] = "beadm", NULL-terminated), or NULL
 * after replying why not (malformed, too large, not in time). */
char **broker_read_request(int fd, int *argc_out);
void broker_request_free(char **argv);
/* A reply begins: its deadline starts now. */
void broker_reply_starts(void);
/* One frame (type, length, data) of the reply; dropped past the deadline. */
void broker_send_frame(int fd, char type, const void *data, uint32_t len);
/* An error line on the caller's stderr and the exit status; starts the reply. */
void broker_reply_error(int fd, int status, const char *msg);

#endif
