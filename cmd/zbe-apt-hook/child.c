/*
 * Running beadm from the hook: an argv, no shell; its output collected;
 * never longer than the timeout (then SIGTERM to its process group, which
 * lets beadm undo what it started, and SIGKILL 5 s later).
 */
#include "hook.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILL_GRACE 5

static void
append(char **buf, size_t *len, const char *data, size_t n)
{
	char *b = realloc(*buf, *len + n + 1);

	if (b == NULL)
		return;
	memcpy(b + *len, data, n);
	*len += n;
	b[*len] = '\0';
	*buf = b;
}

static long
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

/* Read both pipes until they close or the deadline passes; false: timed out. */
static bool
collect(int fds[2], hook_child_t *c, long deadline)
{
	size_t lens[2] = { 0, 0 };
	char **bufs[2] = { &c->out, &c->err };
	int open_fds = 2;

	while (open_fds > 0) {
		struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
		long left = deadline - now();
		if (left <= 0)
			return false;
		int r = poll(p, 2, (int)(left * 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return false;
		if (r < 0)
			return true; /* what was read is all there is; waitpid decides */
		for (int i = 0; i < 2; i++) {
			char data[4096];
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(fds[i], data, sizeof(data));
			if (n > 0) {
				append(bufs[i], &lens[i], data, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(fds[i]);
				fds[i] = -1;
				open_fds--;
			}
		}
	}
	return true;
}

/* Wait for pid until deadline; false if it is still running. */
static bool
wait_until(pid_t pid, long deadline, int *wstatus)
{
	for (;;) {
		pid_t r = waitpid(pid, wstatus, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return true;
		if (now() >= deadline)
			return false;
		usleep(50 * 1000);
	}
}

void
hook_run(char *const argv[], unsigned timeout, hook_child_t *c)
{
	int out[2], err[2], wstatus = 0;
	long deadline = now() + (long)timeout;

	memset(c, 0, sizeof(*c));
	c->status = -1;
	if (pipe2(out, O_CLOEXEC) != 0)
		return;
	if (pipe2(err, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		return;
	}
	int fds[2] = { out[0], err[0] };
	bool in_time = collect(fds, c, deadline) && wait_until(pid, deadline, &wstatus);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (!in_time) {
		c->timed_out = true;
		kill(-pid, SIGTERM);
		if (!wait_until(pid, now() + KILL_GRACE, &wstatus)) {
			kill(-pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
		}
		return;
	}
	if (WIFEXITED(wstatus))
		c->status = WEXITSTATUS(wstatus);
	else
		c->status = 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
}

void
hook_child_free(hook_child_t *c)
{
	free(c->out);
	free(c->err);
	memset(c, 0, sizeof(*c));
}

const char *
hook_child_why(const hook_child_t *c)
{
	static char why[512];
	const char *e = c->err != NULL ? c->err : "", *last = NULL;

	for (const char *p = e; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		if (n > 0)
			last = p;
		p += n + (p[n] == '\n');
	}
	if (c->timed_out)
		snprintf(why, sizeof(why), "no answer in time");
	else if (last != NULL)
		snprintf(why, sizeof(why), "%.*s", (int)strcspn(last, "\n"), last);
	else if (c->status < 0)
		snprintf(why, sizeof(why), "could not be started");
	else
		snprintf(why, sizeof(why), "exit status %d", c->status);
	return why;
}
