/*
 * The zone's broker: the process that serves the zone's delegation
 * socket (zoneadm boot starts it, halt stops it).  It is started from
 * the command zbe_set_broker names, with the zone's name appended.
 */
#include "zone.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define BROKER_PIDFILE "broker.pid"
/*
 * The broker holds a write lock (fcntl) on this file for its life: a
 * second broker of the zone cannot start, and a boot or halt finds the
 * one that is running from the kernel (F_GETLK names its pid) even when
 * a killed zoneadm never wrote the pid file or the pid was reused.
 */
#define BROKER_LOCKFILE "broker.lock"
/* The broker's run slot (cmd/zoneadm/broker.c): one request at a time. */
#define BROKER_SLOTFILE "broker.run"

static int
open_lockfile(zbe_handle_t *h, const char *zone)
{
	char *path = zbe_zone_run_file(h, zone, BROKER_LOCKFILE);
	int fd = -1;

	if (path != NULL) {
		char *dir = strdup(path);
		if (dir != NULL) {
			*strrchr(dir, '/') = '\0';
			(void)zbe_mkdir_p(h, dir);
			free(dir);
		}
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	free(path);
	return fd;
}

/* The pid of the broker serving zone, or 0. */
static pid_t
broker_running(zbe_handle_t *h, const char *zone)
{
	int fd = open_lockfile(h, zone);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	pid_t pid = 0;

	if (fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		pid = fl.l_pid;
	if (fd >= 0)
		close(fd);
	return pid;
}

static void
stop_pid(pid_t pid)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 300 && kill(pid, 0) == 0; i++) {
		(void)waitpid(pid, NULL, WNOHANG);
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	if (kill(pid, 0) == 0) {
		kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
	}
}

int
zbe_broker_claim(zbe_handle_t *h, const char *zone)
{
	int fd = open_lockfile(h, zone);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fd < 0) {
		zbe_fail_sys(h, ZBE_EIO, errno, "%s: the broker's lock file", zone);
		return -1;
	}
	if (fcntl(fd, F_SETLK, &fl) != 0) {
		zbe_fail(h, ZBE_EBUSY, zone, "a broker already serves this zone");
		close(fd);
		return -1;
	}
	return fd;
}

/* Start "<broker argv> <zone>" detached; it writes nothing we wait for
 * except its socket, which must appear before the zone starts. */
zbe_err_t
zbe_broker_start(zbe_handle_t *h, const char *zone)
{
	char *sockdir = zbe_zone_run_file(h, zone, ZBE_ZONE_SOCK_LEAF);
	char *pidfile = zbe_zone_run_file(h, zone, BROKER_PIDFILE), *sock = NULL;
	zbe_argv_t a = { 0 };
	posix_spawnattr_t attr;
	pid_t pid;
	zbe_err_t err = ZBE_OK;

	if (h->broker_argv == NULL)
		goto out;
	if (sockdir == NULL || pidfile == NULL || (sock = zbe_asprintf("%s/%s", sockdir, ZBE_ZONE_SOCKNAME)) == NULL) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	if ((err = zbe_mkdir_p(h, sockdir)) != ZBE_OK)
		goto out;
	/* one left by a zoneadm killed half-way, or by a zone that died */
	pid_t stale = broker_running(h, zone);
	if (stale > 0)
		stop_pid(stale);
	(void)unlink(sock);
	for (size_t i = 0; h->broker_argv[i] != NULL; i++)
		zbe_argv_add(&a, h->broker_argv[i]);
	zbe_argv_add(&a, zone);
	/* the broker's check that this command is still there once it holds its lock */
	zbe_argv_addf(&a, "%d", (int)getpid());
	if (a.oom) {
		err = zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
		goto out;
	}
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawn(&pid, a.v[0], &fa, &attr, a.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		err = zbe_fail(h, ZBE_ESPAWN, a.v[0], "%s", strerror(rc));
		goto out;
	}
	FILE *f = fopen(pidfile, "we");
	if (f != NULL) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	/* wait up to 5 s for the socket */
	for (int i = 0; i < 500; i++) {
		struct stat sb;
		int status;
		if (stat(sock, &sb) == 0)
			goto out;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			err = zbe_fail(h, ZBE_EZONE, zone, "the zone's broker exited at start");
			goto out;
		}
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	kill(pid, SIGTERM);
	err = zbe_fail(h, ZBE_EZONE, zone, "the zone's broker did not open its socket");
out:
	zbe_argv_free(&a);
	free(sockdir);
	free(pidfile);
	free(sock);
	return err;
}

bool
zbe_broker_stop(zbe_handle_t *h, const char *zone)
{
	bool stopped = false;
	char *pidfile = zbe_zone_run_file(h, zone, BROKER_PIDFILE);
	char *sockdir = zbe_zone_run_file(h, zone, ZBE_ZONE_SOCK_LEAF);
	FILE *f = pidfile != NULL ? fopen(pidfile, "re") : NULL;
	int pid = 0;

	if (f != NULL) {
		if (fscanf(f, "%d", &pid) == 1 && pid > 1 && pid == broker_running(h, zone)) {
			stop_pid(pid);
			stopped = true;
		}
		fclose(f);
		unlink(pidfile);
	}
	/* the lock names the broker when the pid file does not */
	if ((pid = broker_running(h, zone)) > 0) {
		stop_pid(pid);
		stopped = true;
	}
	if (sockdir != NULL) {
		char *sock = zbe_asprintf("%s/%s", sockdir, ZBE_ZONE_SOCKNAME);
		if (sock != NULL)
			unlink(sock);
		free(sock);
		(void)rmdir(sockdir);
		char *zdir = strdup(sockdir), *lock = zbe_zone_run_file(h, zone, BROKER_LOCKFILE);
		char *slot = zbe_zone_run_file(h, zone, BROKER_SLOTFILE);
		if (lock != NULL)
			unlink(lock);
		if (slot != NULL)
			unlink(slot);
		free(lock);
		free(slot);
		if (zdir != NULL) {
			*strrchr(zdir, '/') = '\0';
			(void)rmdir(zdir);
		}
		free(zdir);
	}
	free(pidfile);
	free(sockdir);
	return stopped;
}
