/*
 * A zone's delegation broker ("zoneadm broker ZONE", started by boot):
 * serves the zone's beadm requests on <run_dir>/zones/ZONE/sock/beadm.sock,
 * which the zone sees as /var/run/zbe/beadm.sock.  It knows its zone by
 * construction and never takes a zone or dataset name from a request.
 *
 * Each connection is served by a forked child, so a hostile request can
 * at worst end that child: the request is size-limited and parsed
 * strictly, and at most MAX_CLIENTS are served at once.
 *
 * A zone cannot stall the host through its broker.  Each connection has
 * deadlines, not per-read timeouts a trickle could renew: the whole
 * request within REQUEST_DEADLINE_S of the connect (an idle or stalled
 * client is dropped then), the whole reply taken within
 * REPLY_DEADLINE_S.  Neither wait holds the host's lock: the request is
 * read before beadm runs and the reply is sent after it has let the lock
 * go (its output is kept in memory meanwhile).  And one request of the
 * zone runs at a time (the run slot, a flock on broker.run): twelve
 * parallel loops of "beadm list" load zfs and the lock like one, so a
 * host writer waits for one zone read at most.  A request that cannot
 * get the slot within SLOT_DEADLINE_S is refused as busy.  The command
 * itself is not cut short: killing it half-way would leave a journal for
 * the next command to recover, and it holds the lock only for its own
 * zfs calls.  The request runs through beadm's own code with the zone policy;
 * beadm's command table decides what the caller may do (only uid 0 of
 * the zone may change anything; anyone may list).  The zone runs in a
 * user namespace, so SO_PEERCRED gives the caller's host uid: the
 * zone's root is host uid id_base, and a uid outside the zone's range
 * (the host's root, another zone's users) is no caller of this zone.
 */
#include "zoneadm.h"
#include "beadm.h"
#include "broker_proto.h"
#include "broker_io.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/close_range.h>
#include <unistd.h>

#define MAX_CLIENTS 32
#define SLOT_DEADLINE_S 60
/* beside broker.lock in the zone's run directory */
#define RUN_SLOT_FILE "broker.run"

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
send_fd_contents(int sock, int fd, char type)
{
	char buf[65536];
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		broker_send_frame(sock, type, buf, (uint32_t)n);
}

/* The zone's ids on the host (zonecfg id-base). */
static uint32_t id_base;
/* <run_dir>/zones/ZONE/broker.run */
static char *slot_path;

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * The zone's run slot, held while beadm runs (an flock of this child's
 * own open file, so the kernel lets it go when the child dies); -1 when
 * the slot stayed taken for SLOT_DEADLINE_S.
 */
static int
take_slot(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int fd = open(slot_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600), rc = -1;

	if (fd < 0)
		return -1;
	/* no SA_RESTART: the alarm ends the wait with EINTR */
	sigaction(SIGALRM, &sa, NULL);
	alarm(SLOT_DEADLINE_S);
	rc = flock(fd, LOCK_EX);
	alarm(0);
	if (rc != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
serve(int fd, const beadm_env_t *env)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int argc = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0) {
		broker_reply_error(fd, 1, "cannot identify the caller");
		return;
	}
	/* the request is read first even from a caller who is refused: closing
	 * with it unread would reset the connection and lose the reply */
	char **argv = broker_read_request(fd, &argc);
	if (argv == NULL)
		return;
	if (cred.uid < id_base || cred.uid - id_base >= ZBE_ZONE_IDS) {
		broker_reply_error(fd, 1, "permission denied: the caller is not a user of this zone");
		return;
	}
	int slot = take_slot();
	if (slot < 0) {
		broker_reply_error(fd, 1, "broker busy; try again");
		return;
	}
	/* what the caller may do is beadm's to decide, from its command table */
	beadm_env_t req = *env;
	req.may_mutate = cred.uid == id_base;
	/* beadm's output goes to the caller, stdout and stderr apart */
	int out = memfd_create("beadm-out", MFD_CLOEXEC), err = memfd_create("beadm-err", MFD_CLOEXEC);
	if (out < 0 || err < 0) {
		broker_reply_error(fd, 1, "broker: cannot capture output");
		return;
	}
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	int status = beadm_main(argc, argv, &req);
	fflush(stdout);
	fflush(stderr);
	/* the next request of the zone need not wait for this reply to be read */
	close(slot);
	broker_reply_starts();
	send_fd_contents(fd, out, '1');
	send_fd_contents(fd, err, '2');
	unsigned char st[4] = { (unsigned char)status, 0, 0, 0 };
	broker_send_frame(fd, 'x', st, 4);
}

int
zoneadm_broker(const char *zone, pid_t starter)
{
	char errbuf[1024], *sockdir = NULL, *root = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	zbe_err_t err;
	int lfd, nclients = 0;

	if (!zbe_zone_name_valid(zone))
		return 2;
	/* a daemon keeps none of the descriptors of whoever started it */
	close_range(3, ~0U, 0);
	zbe_handle_t *h = zbe_open(NULL, &err, errbuf, sizeof(errbuf));
	if (h == NULL)
		return 1;
	zbe_zone_info_t *v;
	size_t n;
	if (zbe_zone_list(h, &v, &n) != ZBE_OK)
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, zone) != 0)
			continue;
		if (asprintf(&root, "%s/root", v[i].zonepath) < 0)
			root = NULL;
		id_base = v[i].has_id_base ? v[i].id_base : 0;
	}
	zbe_zone_list_free(v, n);
	/* no range: the zone would be no user namespace of its own, and boot refuses it */
	if (id_base == 0 || root == NULL || asprintf(&sockdir, "%s/zones/%s/sock", zbe_conf_get(h, "run_dir"), zone) < 0 ||
	    asprintf(&slot_path, "%s/zones/%s/" RUN_SLOT_FILE, zbe_conf_get(h, "run_dir"), zone) < 0)
		return 1;
	const char *conf = getenv("ZBE_CONF");
	beadm_env_t env = { .conf = conf, .zone = zone, .zone_root_dir = root };
	/* held until exit: never two brokers, and zoneadm finds this one */
	int claim = zbe_broker_claim(h, zone);
	zbe_close(h);
	/* A boot killed before this claim left no pid file and no lock that
	 * halt could find this broker by: then it is nobody's, and goes.  A
	 * boot killed after it is found by the lock. */
	if (claim >= 0 && getppid() != starter) {
		close(claim);
		claim = -1;
	}
	if (claim < 0) {
		free(sockdir);
		free(root);
		return 1;
	}

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/beadm.sock", sockdir);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	(void)unlink(sa.sun_path);
	/* anyone in the zone may connect; what they may do is decided per request */
	mode_t old = umask(0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 16) != 0) {
		umask(old);
		return 1;
	}
	umask(old);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	while (!stopping) {
		struct pollfd p = { lfd, POLLIN, 0 };
		while (nclients > 0 && waitpid(-1, NULL, WNOHANG) > 0)
			nclients--;
		if (poll(&p, 1, 500) <= 0)
			continue;
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		if (nclients >= MAX_CLIENTS) {
			broker_reply_error(cfd, 1, "broker busy; try again");
			close(cfd);
			continue;
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			signal(SIGTERM, SIG_DFL);
			serve(cfd, &env);
			_exit(0);
		}
		if (pid > 0)
			nclients++;
		close(cfd);
	}
	close(lfd);
	(void)unlink(sa.sun_path);
	free(sockdir);
	free(root);
	free(slot_path);
	return 0;
}
