/*
 * beadm run [-a] [-e source] newBeName -- command [argument...]
 * A transactional update: create newBeName, mount it, run the command
 * chrooted into it (with /proc, /sys and /dev; with -z, in the zone's user
 * namespace on /proc, /sys and /dev of its own), unmount it; on success
 * activate it with -a; on failure destroy it and exit with the command's
 * status.  With -z the new zone BE is updated from the global zone.
 */
#include "beadm.h"
#include "run_reap.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const binds[] = { "proc", "sys", "dev" };
#define NBINDS (sizeof(binds) / sizeof(binds[0]))

static void
unbind(const char *root, size_t n)
{
	char path[4096];

	while (n-- > 0) {
		snprintf(path, sizeof(path), "%s/%s", root, binds[n]);
		(void)umount2(path, MNT_DETACH);
	}
}

static volatile sig_atomic_t child_pid;

/* SIGTERM or SIGHUP sent to beadm: the command gets it, beadm stays to clean up. */
static void
forward(int sig)
{
	if (child_pid > 0)
		(void)kill((pid_t)child_pid, sig);
}

/*
 * The command's exit status, 128+signal when killed, 127/126 when it could
 * not run.  While it runs, beadm ignores SIGINT and SIGQUIT (a Ctrl-C goes
 * to the command, as with system(3)) and passes SIGTERM and SIGHUP on to
 * it, so that it outlives the command and can destroy or unmount the BE.
 */
static int
run_chrooted(beadm_ctx_t *c, const char *root, char **cmd)
{
	char path[4096];
	size_t n = 0;
	int status;

	/* a zone's BE (-z): the command runs as the zone, in its user namespace
	 * with /proc, /sys and /dev of its own (zbe_zone_spawn), never as host
	 * root with the host's: the zone's files must not steer host root */
	for (n = 0; c->zone == NULL && n < NBINDS; n++) {
		char src[16];
		snprintf(src, sizeof(src), "/%s", binds[n]);
		snprintf(path, sizeof(path), "%s/%s", root, binds[n]);
		(void)mkdir(path, 0755);
		if (mount(src, path, NULL, MS_BIND | MS_REC, NULL) != 0) {
			beadm_error(path, strerror(errno));
			unbind(root, n);
			return 126;
		}
		/* keep the host's mounts below from propagating back out */
		(void)mount(NULL, path, NULL, MS_SLAVE | MS_REC, NULL);
	}
	struct sigaction ign = { .sa_handler = SIG_IGN }, fwd = { .sa_handler = forward };
	struct sigaction oint, oquit, oterm, ohup;
	sigemptyset(&ign.sa_mask);
	sigemptyset(&fwd.sa_mask);
	(void)sigaction(SIGINT, &ign, &oint);
	(void)sigaction(SIGQUIT, &ign, &oquit);
	(void)sigaction(SIGTERM, &fwd, &oterm);
	(void)sigaction(SIGHUP, &fwd, &ohup);
	/* no SIGTERM or SIGHUP until the handler knows the child */
	sigset_t block, omask;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &block, &omask);
	fflush(stdout);
	fflush(stderr);
	pid_t pid;
	int rc = 126;
	if (c->zone != NULL) {
		if (zbe_zone_spawn(c->h, c->zone, root, cmd, &pid) != ZBE_OK) {
			rc = zbe_errno(c->h) == ZBE_ENOENT ? 127 : 126;
			beadm_fail(c);
			pid = -2;
		}
	} else if ((pid = fork()) == 0) {
		(void)sigaction(SIGINT, &oint, NULL);
		(void)sigaction(SIGQUIT, &oquit, NULL);
		(void)sigaction(SIGTERM, &oterm, NULL);
		(void)sigaction(SIGHUP, &ohup, NULL);
		(void)sigprocmask(SIG_SETMASK, &omask, NULL);
		if (chroot(root) != 0 || chdir("/") != 0) {
			fprintf(stderr, "beadm: run: chroot %s: %s\n", root, strerror(errno));
			_exit(126);
		}
		execvp(cmd[0], cmd);
		fprintf(stderr, "beadm: run: %s: %s\n", cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	child_pid = pid;
	(void)sigprocmask(SIG_SETMASK, &omask, NULL);
	if (pid == -2) {
		/* the zone's command did not start: the error is out */
	} else if (pid < 0) {
		beadm_error("run", strerror(errno));
	} else {
		pid_t w;
		while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
		if (w == pid)
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		int left = run_reap(root);
		if (left > 0)
			fprintf(stderr, "beadm: run: killed %d process%s %s left running in the new BE\n", left,
			    left == 1 ? "" : "es", cmd[0]);
	}
	child_pid = 0;
	(void)sigaction(SIGINT, &oint, NULL);
	(void)sigaction(SIGQUIT, &oquit, NULL);
	(void)sigaction(SIGTERM, &oterm, NULL);
	(void)sigaction(SIGHUP, &ohup, NULL);
	unbind(root, n);
	return rc;
}

int
beadm_run(beadm_ctx_t *c, int argc, char **argv)
{
	zbe_create_opts_t o = { 0 };
	char *where = NULL;
	int opt, status;

	while ((opt = getopt(argc, argv, "+ae:")) != -1) {
		switch (opt) {
		case 'a':
			o.activate = true;
			break;
		case 'e':
			o.source = optarg;
			break;
		default:
			return beadm_usage_error("run", "unknown option");
		}
	}
	if (argc - optind < 3 || strcmp(argv[optind + 1], "--") != 0)
		return beadm_usage_error("run", "expected newBeName -- command [argument...]");
	if (c->dry_run)
		return beadm_usage_error("run", "-n is not available for run");
	o.name = argv[optind];
	char **cmd = argv + optind + 2;
	bool activate = o.activate;
	o.activate = false; /* only once the command succeeded */
	o.pending = true;   /* incomplete until then: a killed run is undone */

	if (zbe_create(c->h, &o) != ZBE_OK)
		return beadm_fail(c);
	if (zbe_mount(c->h, o.name, NULL, &where) != ZBE_OK) {
		int rc = beadm_fail(c);
		(void)zbe_destroy(c->h, o.name, ZBE_DESTROY_FORCE_UNMOUNT);
		return rc;
	}
	status = run_chrooted(c, where, cmd);
	if (zbe_unmount(c->h, o.name, status != 0) != ZBE_OK) {
		beadm_fail(c);
		if (status == 0)
			status = 1;
	}
	free(where);
	if (status != 0) {
		fprintf(stderr, "beadm: run: %s failed (status %d); destroying %s\n", cmd[0], status, o.name);
		if (zbe_destroy(c->h, o.name, ZBE_DESTROY_FORCE_UNMOUNT | ZBE_DESTROY_SNAPSHOTS) != ZBE_OK)
			beadm_fail(c);
		return status;
	}
	if (zbe_run_done(c->h, o.name) != ZBE_OK)
		return beadm_fail(c);
	if (activate && zbe_activate(c->h, o.name) != ZBE_OK)
		return beadm_fail(c);
	return 0;
}
