/*
 * libFuzzer target: the broker's request parser, as a zone's client
 * feeds it.  The input is what the client sends on the socket: written
 * to one end of a socketpair, whose writing side is then shut, and read
 * by broker_read_request on the other (the reply it may send, an error
 * line and a status, goes unread into the socket's buffer).
 */
#include "broker_io.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2], argc = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	/* more than the socket holds is cut: the parser sees an early end */
	if (size > 0)
		(void)send(sv[1], data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(sv[1], SHUT_WR);
	char **argv = broker_read_request(sv[0], &argc);
	if (argv != NULL) {
		for (int i = 0; i < argc; i++)
			if (argv[i] == NULL)
				abort(); /* argc promised more arguments than there are */
		if (argv[argc] != NULL)
			abort();
		broker_request_free(argv);
	}
	close(sv[0]);
	close(sv[1]);
	return 0;
}
