/*
 * beadm inside a zone: hands its arguments to the zone's broker through
 * /var/run/zbe/beadm.sock and prints what comes back.  Static and libc
 * only, so it runs in any zone image.
 */
#include "broker_proto.h"
#include "run_reap.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <unistd.h>

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

/*
 * One request to the broker: the arguments after "beadm".  Its stdout is
 * printed, or kept in *capture when capture is not NULL; stderr is printed.
 * Returns beadm's exit status.
 */
static int
request(int argc, char **argv, char **capture)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char *req, hdr[5];
	size_t len = 8, off, caplen = 0;
	int fd, status = 1;

	if (capture != NULL)
		*capture = NULL;
	if (argc > ZBE_PROTO_MAX_ARGS) {
		fprintf(stderr, "beadm: too many arguments\n");
		return 2;
	}
	for (int i = 0; i < argc; i++) {
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
	if ((req = malloc(len)) == NULL)
		return 1;
	memcpy(req, ZBE_PROTO_MAGIC, 4);
	zbe_proto_put_u32(req + 4, (uint32_t)argc);
	off = 8;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);
		zbe_proto_put_u32(req + off, (uint32_t)l);
		memcpy(req + off + 4, argv[i], l);
		off += 4 + l;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ZBE_PROTO_SOCKET);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "beadm: %s: %s (is this a zone with boot environments?)\n", ZBE_PROTO_SOCKET,
		    strerror(errno));
		free(req);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (zbe_proto_write(fd, req, len) != 0) {
		fprintf(stderr, "beadm: broker: %s\n", strerror(errno));
		free(req);
		close(fd);
		return 1;
	}
	free(req);
	for (;;) {
		if (zbe_proto_read(fd, hdr, 5) != 0) {
			fprintf(stderr, "beadm: broker closed the connection\n");
			break;
		}
		uint32_t l = zbe_proto_u32(hdr + 1);
		if (l > 16 * 1024 * 1024) {
			fprintf(stderr, "beadm: broker: oversized reply\n");
			break;
		}
		char *buf = malloc(l + 1);
		if (buf == NULL || zbe_proto_read(fd, buf, l) != 0) {
			free(buf);
			fprintf(stderr, "beadm: broker closed the connection\n");
			break;
		}
		if (hdr[0] == 'x' && l == 4) {
			status = (int)zbe_proto_u32((unsigned char *)buf);
			free(buf);
			break;
		}
		if (hdr[0] == '1' && capture != NULL) {
			char *n = realloc(*capture, caplen + l + 1);
			if (n != NULL) {
				memcpy(n + caplen, buf, l);
				caplen += l;
				n[caplen] = '\0';
				*capture = n;
			}
		} else {
			(void)zbe_proto_write(hdr[0] == '2' ? 2 : 1, buf, l);
		}
		free(buf);
	}
	close(fd);
	return status;
}

static const char *const binds[] = { "proc", "sys", "dev" };

static volatile sig_atomic_t child_pid;

/* SIGTERM or SIGHUP sent to beadm: the command gets it, beadm stays to clean up. */
static void
forward(int sig)
{
	if (child_pid > 0)
		(void)kill((pid_t)child_pid, sig);
}

/* beadm run in a zone: the broker makes and mounts the ZBE; the command
 * runs here, in the zone, chrooted into it. */
static int
run(int argc, char **argv)
{
	const char *source = NULL, *name;
	int activate = 0, i, opt, status;

	/* the options as the global zone's beadm run takes them */
	opterr = 0;
	while ((opt = getopt(argc, argv, "+ae:")) != -1) {
		if (opt == 'a')
			activate = 1;
		else if (opt == 'e')
			source = optarg;
		else
			goto usage;
	}
	i = optind;
	if (argc - i < 3 || strcmp(argv[i + 1], "--") != 0)
		goto usage;
	name = argv[i];
	char **cmd = argv + i + 2;
	char *create[] = { "create", "-e", (char *)source, (char *)name, NULL };
	char *create_plain[] = { "create", (char *)name, NULL };
	if ((status = source ? request(4, create, NULL) : request(2, create_plain, NULL)) != 0)
		return status;
	char *mnt[] = { "mount", (char *)name, NULL }, *where = NULL;
	char *destroy[] = { "destroy", "-Ffs", (char *)name, NULL };
	if ((status = request(2, mnt, &where)) != 0 || where == NULL) {
		request(3, destroy, NULL);
		return status ? status : 1;
	}
	where[strcspn(where, "\n")] = '\0';
	char path[4096];
	size_t n;
	for (n = 0; n < 3; n++) {
		char src[16];
		snprintf(src, sizeof(src), "/%s", binds[n]);
		snprintf(path, sizeof(path), "%s/%s", where, binds[n]);
		mkdir(path, 0755);
		if (mount(src, path, NULL, MS_BIND | MS_REC, NULL) != 0)
			break;
		/* the copies join the peer groups of the zone's own /dev, /proc
		 * and /sys mounts (shared in the zone's mount namespace): as
		 * slaves, their unmount below does not take the zone's
		 * /dev/null and the like with it */
		(void)mount(NULL, path, NULL, MS_SLAVE | MS_REC, NULL);
	}
	if (n < 3) {
		fprintf(stderr, "beadm: run: cannot bind /%s: %s\n", binds[n], strerror(errno));
		status = 126;
	} else {
		/* as in the global zone's beadm run: a Ctrl-C or a SIGTERM ends
		 * the command, not beadm, which then destroys the ZBE */
		struct sigaction ign = { .sa_handler = SIG_IGN }, fwd = { .sa_handler = forward };
		struct sigaction oint, oquit, oterm, ohup;
		sigset_t block, omask;
		sigemptyset(&ign.sa_mask);
		sigemptyset(&fwd.sa_mask);
		sigaction(SIGINT, &ign, &oint);
		sigaction(SIGQUIT, &ign, &oquit);
		sigaction(SIGTERM, &fwd, &oterm);
		sigaction(SIGHUP, &fwd, &ohup);
		sigemptyset(&block);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		sigprocmask(SIG_BLOCK, &block, &omask);
		fflush(stdout);
		fflush(stderr);
		pid_t pid = fork();
		if (pid == 0) {
			sigaction(SIGINT, &oint, NULL);
			sigaction(SIGQUIT, &oquit, NULL);
			sigaction(SIGTERM, &oterm, NULL);
			sigaction(SIGHUP, &ohup, NULL);
			sigprocmask(SIG_SETMASK, &omask, NULL);
			if (chroot(where) != 0 || chdir("/") != 0)
				_exit(126);
			execvp(cmd[0], cmd);
			fprintf(stderr, "beadm: run: %s: %s\n", cmd[0], strerror(errno));
			_exit(errno == ENOENT ? 127 : 126);
		}
		child_pid = pid;
		sigprocmask(SIG_SETMASK, &omask, NULL);
		int ws = 0;
		pid_t w = -1;
		while (pid > 0 && (w = waitpid(pid, &ws, 0)) < 0 && errno == EINTR)
			;
		status = w != pid ? 126 : WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		int left = pid > 0 ? run_reap(where) : 0;
		if (left > 0)
			fprintf(stderr, "beadm: run: killed %d process%s %s left running in the new BE\n", left,
			    left == 1 ? "" : "es", cmd[0]);
		child_pid = 0;
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		sigaction(SIGTERM, &oterm, NULL);
		sigaction(SIGHUP, &ohup, NULL);
	}
	while (n-- > 0) {
		snprintf(path, sizeof(path), "%s/%s", where, binds[n]);
		umount2(path, MNT_DETACH);
	}
	char *umnt[] = { "unmount", (char *)name, NULL };
	int us = request(2, umnt, NULL);
	rmdir(where);
	free(where);
	if (status != 0 || us != 0) {
		fprintf(stderr, "beadm: run: %s failed (status %d); destroying %s\n", cmd[0], status, name);
		request(3, destroy, NULL);
		return status ? status : us;
	}
	if (activate) {
		char *act[] = { "activate", (char *)name, NULL };
		return request(2, act, NULL);
	}
	return 0;
usage:
	fprintf(stderr, "usage:\n\tbeadm run [-a] [-e source] newBeName -- command [argument...]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return run(argc - 1, argv + 1);
	if (!confirm_destroy(argc, argv)) {
		fprintf(stderr, "beadm: destroy canceled\n");
		return 1;
	}
	return request(argc - 1, argv + 1, NULL);
}
