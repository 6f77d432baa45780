/*
 * A terminal's Ctrl-C, a systemd stop or a hang-up must not stop an
 * operation between two of its zfs commands: it would leave a BE
 * half-made.  While an operation changes a pool these signals are
 * blocked; the next mutating step sees one pending and fails, so the
 * operation is undone at a consistent point, and the command exits
 * 128 + the signal.  (SIGKILL and power loss are the journal's work.)
 */
#include "base.h"

#include <string.h>
#include <time.h>

static void
held_set(sigset_t *s)
{
	sigemptyset(s);
	sigaddset(s, SIGINT);
	sigaddset(s, SIGTERM);
	sigaddset(s, SIGHUP);
}

void
zbe_signals_hold(zbe_handle_t *h)
{
	sigset_t held;

	if (h->hold_depth++ > 0)
		return;
	held_set(&held);
	sigprocmask(SIG_BLOCK, &held, &h->unheld_mask);
}

int
zbe_signal_pending(zbe_handle_t *h)
{
	sigset_t pending;
	static const int order[] = { SIGINT, SIGTERM, SIGHUP };

	if (h->hold_depth == 0 || sigpending(&pending) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (sigismember(&pending, order[i]) && !sigismember(&h->unheld_mask, order[i]))
			return order[i];
	return 0;
}

void
zbe_signals_release(zbe_handle_t *h)
{
	sigset_t held;
	int sig;

	if (h->hold_depth == 0 || --h->hold_depth > 0)
		return;
	held_set(&held);
	/* take what arrived, so that unblocking does not deliver it */
	while ((sig = sigtimedwait(&held, NULL, &(struct timespec){ 0, 0 })) > 0)
		if (h->signal == 0 && !sigismember(&h->unheld_mask, sig))
			h->signal = sig;
	sigprocmask(SIG_SETMASK, &h->unheld_mask, NULL);
	/* a process with a handler of its own (the broker) still gets it */
	struct sigaction sa;
	if (h->signal != 0 && sigaction(h->signal, NULL, &sa) == 0 &&
	    sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN)
		raise(h->signal);
}

int
zbe_interrupted(const zbe_handle_t *h)
{
	return h->signal;
}
