/*
 * A command run in a BE of a zone from the global zone (beadm -z Z run),
 * the way the zone runs its own processes: never as host root with the
 * host's /proc, /sys and /dev.
 *
 *   beadm (host root)
 *    `- C: unshare(user, mount, pid, net, ipc, uts, cgroup); beadm writes
 *       its uid_map and gid_map ("0 id_base 65536", the zone's); C
 *       passes signals on to G and exits with G's status
 *        `- G: pid 1 of the new pid namespace: the BE moved over the
 *           host's root and made the root (the host's tree below it is
 *           reachable by no path, not even "..")
 *           a fresh proc, sysfs (read-only; the network namespace is its
 *           own) and a tmpfs /dev with null, zero, full, random, urandom
 *           and tty bound from the host; a session of its own (no host
 *           terminal to push input into); passes signals on to H; when H
 *           ends, G ends, and with it every process left in the namespace
 *            `- H: the command (execvp), descriptors above 2 closed.
 *
 * Everything after the pivot resolves inside the BE: a symlink the zone
 * put there (/proc -> /etc) leads to its own files, never the host's.
 * Setup failures come back to beadm through a close-on-exec pipe (the
 * step and errno), so that the library prints nothing and beadm learns
 * that the command has started when the pipe closes.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

/* The steps a setup failure can name (sent as an index). */
static const char *const steps[] = {
	"cannot make the zone's namespaces",
	"cannot become the zone's root",
	"cannot make the mounts private",
	"cannot take the host's device nodes",
	"cannot make the boot environment the root",
	"cannot mount /proc",
	"cannot mount /sys",
	"cannot mount /dev",
	"cannot fork",
	"cannot run the command",
};
enum { S_NS, S_ID, S_PRIV, S_DEV, S_PIVOT, S_PROC, S_SYS, S_TMPDEV, S_FORK, S_EXEC };

static const char *const devs[] = { "null", "zero", "full", "random", "urandom", "tty" };
#define NDEVS (sizeof(devs) / sizeof(devs[0]))

typedef struct report {
	int step, err;
} report_t;

/* Tell beadm why setup failed, and end this process. */
static _Noreturn void
die(int fd, int step, int e, int status)
{
	report_t r = { step, e };
	if (write(fd, &r, sizeof(r)) < 0) {
		/* nothing more to do: the status says it failed */
	}
	_exit(status);
}

static volatile sig_atomic_t target_pid;

static void
pass_on(int sig)
{
	if (target_pid > 0)
		(void)kill((pid_t)target_pid, sig);
}

static void
forward_signals(void)
{
	static const int sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = pass_on };
	sigset_t none;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Wait for pid (reaping anything else that ends meanwhile); its status as a shell's. */
static int
wait_for(pid_t pid)
{
	int status;

	for (;;) {
		pid_t w = wait(&status);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 126;
		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}

static void
defaults(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++)
		(void)sigaction(s, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static int
mkdir_in(const char *p)
{
	return mkdir(p, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* G: the namespace's init.  Never returns. */
static _Noreturn void
init_in_zone(int rep, const char *root, const char *hostname, char *const argv[])
{
	int devfd[NDEVS];
	char path[64];

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		die(rep, S_PRIV, errno, 126);
	/* the host's device nodes, as detached mounts, taken before the host's tree goes */
	for (size_t i = 0; i < NDEVS; i++) {
		snprintf(path, sizeof(path), "/dev/%s", devs[i]);
		if ((devfd[i] = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
			die(rep, S_DEV, errno, 126);
	}
	/*
	 * The BE over the host's root, as switch_root does (pivot_root needs
	 * a root whose parent is not shared, which a host booted from an
	 * initramfs does not have): a bind of it first (the mount itself came
	 * from the host's namespace and is locked), moved onto "/", and made
	 * the root.  The host's tree lies below it, reachable by no path.
	 */
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) != 0 || chdir(root) != 0 ||
	    mount(".", "/", NULL, MS_MOVE, NULL) != 0 || chroot(".") != 0 || chdir("/") != 0)
		die(rep, S_PIVOT, errno, 126);
	if (mkdir_in("/proc") != 0 || mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		die(rep, S_PROC, errno, 126);
	if (mkdir_in("/sys") != 0 ||
	    mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) != 0)
		die(rep, S_SYS, errno, 126);
	if (mkdir_in("/dev") != 0 || mount("zbe-dev", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") != 0)
		die(rep, S_TMPDEV, errno, 126);
	for (size_t i = 0; i < NDEVS; i++) {
		snprintf(path, sizeof(path), "/dev/%s", devs[i]);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (fd < 0)
			die(rep, S_TMPDEV, errno, 126);
		close(fd);
		if (move_mount(devfd[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0)
			die(rep, S_TMPDEV, errno, 126);
		close(devfd[i]);
	}
	if (symlink("/proc/self/fd", "/dev/fd") != 0 || symlink("/proc/self/fd/0", "/dev/stdin") != 0 ||
	    symlink("/proc/self/fd/1", "/dev/stdout") != 0 || symlink("/proc/self/fd/2", "/dev/stderr") != 0)
		die(rep, S_TMPDEV, errno, 126);
	/* the uts namespace is the command's own */
	if (hostname != NULL && sethostname(hostname, strlen(hostname)) != 0)
		die(rep, S_NS, errno, 126);
	(void)setsid();
	forward_signals();
	pid_t pid = fork();
	if (pid < 0)
		die(rep, S_FORK, errno, 126);
	if (pid == 0) {
		defaults();
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC); /* rep is close-on-exec too: it closes at exec */
		execvp(argv[0], argv);
		die(rep, S_EXEC, errno, errno == ENOENT ? 127 : 126);
	}
	target_pid = pid;
	close(rep);
	_exit(wait_for(pid));
}

/* C: in the new namespaces once beadm has written the maps.  Never returns. */
static _Noreturn void
enter(int rep, int go, const char *root, const char *hostname, char *const argv[])
{
	char c;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
	    CLONE_NEWCGROUP) != 0)
		die(rep, S_NS, errno, 126);
	/* beadm sees the new user namespace and writes the maps, then says go */
	c = 0;
	if (read(go, &c, 1) != 1 || c != 'g')
		die(rep, S_ID, EPERM, 126);
	close(go);
	if (setresgid(0, 0, 0) != 0 || setgroups(0, NULL) != 0 || setresuid(0, 0, 0) != 0)
		die(rep, S_ID, errno, 126);
	pid_t pid = fork();
	if (pid < 0)
		die(rep, S_FORK, errno, 126);
	if (pid == 0)
		init_in_zone(rep, root, hostname, argv);
	target_pid = pid;
	forward_signals();
	close(rep);
	_exit(wait_for(pid));
}

static int
write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		rc = -1;
	close(fd);
	return rc;
}

zbe_err_t
zbe_sandbox_spawn(zbe_handle_t *h, const zbe_sandbox_t *s, char *const argv[], pid_t *out)
{
	int rep[2], go[2];
	char map[64];
	report_t r;
	ssize_t n;

	*out = -1;
	if (argv == NULL || argv[0] == NULL || s->id_base == 0 || s->id_base > UINT32_MAX - ZBE_ZONE_IDS)
		return zbe_fail_sys(h, ZBE_EZONE, 0, "run: no command, or the zone has no id range of its own");
	if (pipe2(rep, O_CLOEXEC) != 0)
		return zbe_fail_sys(h, ZBE_EIO, errno, "pipe");
	if (pipe2(go, O_CLOEXEC) != 0) {
		close(rep[0]);
		close(rep[1]);
		return zbe_fail_sys(h, ZBE_EIO, errno, "pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(rep[0]);
		close(go[1]);
		enter(rep[1], go[0], s->root, s->hostname, argv);
	}
	close(rep[1]);
	close(go[0]);
	if (pid < 0) {
		close(rep[0]);
		close(go[1]);
		return zbe_fail_sys(h, ZBE_EIO, errno, "fork");
	}
	/* C has unshared when its uid_map is writable and still empty: wait for that */
	snprintf(map, sizeof(map), "0 %u %u\n", (unsigned)s->id_base, ZBE_ZONE_IDS);
	int ok = -1;
	for (int tries = 0; tries < 5000 && ok != 0; tries++) {
		char ns[64], self[64], p[64];
		snprintf(p, sizeof(p), "/proc/%d/ns/user", (int)pid);
		ssize_t a = readlink(p, ns, sizeof(ns)), b = readlink("/proc/self/ns/user", self, sizeof(self));
		if (a < 0) /* C is gone: its report says why */
			break;
		if (b > 0 && (a != b || memcmp(ns, self, (size_t)a) != 0)) {
			ok = write_file(pid, "uid_map", map) == 0 && write_file(pid, "gid_map", map) == 0 ? 0 : 1;
			break;
		}
		usleep(1000);
	}
	if (ok == 0 && write(go[1], "g", 1) != 1)
		ok = 1;
	int e = errno;
	close(go[1]);
	/* EOF: the command was exec'd; a report: setup failed */
	while ((n = read(rep[0], &r, sizeof(r))) < 0 && errno == EINTR)
		;
	close(rep[0]);
	if (n == (ssize_t)sizeof(r) || ok != 0) {
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (n != (ssize_t)sizeof(r))
			return zbe_fail_sys(h, ZBE_EZONE, e, "run: cannot give the zone's id map to the command");
		if (r.step < 0 || (size_t)r.step >= sizeof(steps) / sizeof(steps[0]))
			r.step = S_EXEC;
		if (r.step == S_EXEC)
			return zbe_fail_sys(h, r.err == ENOENT ? ZBE_ENOENT : ZBE_EZONE, r.err, "run: %s", argv[0]);
		return zbe_fail_sys(h, ZBE_EZONE, r.err, "run: %s", steps[r.step]);
	}
	*out = pid;
	return ZBE_OK;
}
