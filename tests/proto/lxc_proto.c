/* lxc_proto.c - prototype driver for lib/zone_lxc.c + lib/zone_image.c (run as root).
 *
 * Creates a throwaway zfs-fuse pool on a sparse file, builds the minimal image into two
 * datasets, runs two zones side by side and checks attach, hostname, writes, the socket
 * dir bind, host->zone mount propagation, isolation from /var/run/zfs, missing-init
 * detection and clean stop.  Everything is torn down at the end, also on failure.
 *   build: gcc -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -Ilib tests/proto/lxc_proto.c \
 *            lib/zone_lxc.c lib/zone_image.c $(pkg-config --cflags --libs lxc) -o lxc_proto
 *   usage: lxc_proto [-i]     (-i: also attach an interactive /bin/sh in zone 1)
 */
#include "zone_image.h"
#include "zone_lxc.h"

#include <fcntl.h>
#include <glob.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static int failures;
static char base[64], pool[32], lxcpath[128], err[1024];

#define CHECK(cond, ...) do { int ok_ = (cond); printf("%s: ", ok_ ? "PASS" : "FAIL"); \
        printf(__VA_ARGS__); printf("\n"); fflush(stdout); failures += !ok_; } while (0)

static int run(char *const argv[]) /* host command, no shell; returns exit status */
{
    printf("+");
    for (int i = 0; argv[i]; i++)
        printf(" %s", argv[i]);
    printf("\n");
    fflush(stdout);
    pid_t pid;
    int st;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
#define RUN(...) run((char *[]){ __VA_ARGS__, NULL })

static int zattach(const char *zone, char *const argv[]) /* zone command; exit status or -1 */
{
    printf("[%s]#", zone);
    for (int i = 0; argv[i]; i++)
        printf(" %s", argv[i]);
    printf("\n");
    fflush(stdout);
    int st;
    if (zbe_lxc_attach(zone, lxcpath, argv, &st, err, sizeof err) < 0) {
        printf("attach error: %s\n", err);
        return -1;
    }
    return st;
}
#define ZRUN(zone, ...) zattach(zone, (char *[]){ __VA_ARGS__, NULL })

static void path(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, 256, fmt, ap);
    va_end(ap);
}

static int file_has(const char *p, const char *needle)
{
    char buf[4096] = "";
    FILE *f = fopen(p, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, needle) != NULL;
}

static int count_mounts(const char *needle) /* host mountinfo lines containing needle */
{
    char line[1024];
    int n = 0;
    FILE *f = fopen("/proc/self/mountinfo", "r");
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return n;
}

static void read_small(const char *p, char *buf, size_t len)
{
    FILE *f = fopen(p, "r");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

static size_t count_glob(const char *pattern)
{
    glob_t g;
    size_t n = glob(pattern, 0, NULL, &g) == 0 ? g.gl_pathc : 0;
    globfree(&g);
    return n;
}

static int start_zone(const char *name, const char *init, const char *sockdir)
{
    char root[256];
    path(root, "%s/mnt/%s", base, name);
    struct zbe_lxc_spec s = { name, lxcpath, root, init, sockdir, sockdir ? "/var/run/zbe" : NULL };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = zbe_lxc_start(&s, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("zbe_lxc_start(%s, init=%s) = %d (%.2fs)%s%s\n", name, init, rc,
           (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
           rc ? " err: " : "", rc ? err : "");
    return rc;
}

static double elapsed; /* seconds taken by the last start_zone/stop_zone */

static int stop_zone(const char *name, int timeout)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = zbe_lxc_stop(name, lxcpath, timeout, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    elapsed = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("zbe_lxc_stop(%s, timeout=%d) = %d (%.2fs)%s%s\n", name, timeout, rc, elapsed,
           rc ? " err: " : "", rc ? err : "");
    return rc;
}

static void write_file(const char *p, const char *data, mode_t mode)
{
    FILE *f = fopen(p, "w");
    if (f)
        fputs(data, f), fclose(f);
    chmod(p, mode);
}

int main(int argc, char **argv)
{
    char p[256], q[256], sock[256], ds[64], cg_before[1024], cg_after[1024];
    read_small("/proc/self/cgroup", cg_before, sizeof cg_before);
    snprintf(base, sizeof base, "/tmp/lxcp.XXXXXX");
    if (!mkdtemp(base))
        return perror("mkdtemp"), 2;
    snprintf(pool, sizeof pool, "lxcproto%d", (int)getpid());
    snprintf(lxcpath, sizeof lxcpath, "%s/run/lxc", base);
    path(sock, "%s/sock", base);

    /* --- setup: pool on a sparse file, one dataset per zone root, one extra dataset --- */
    path(p, "%s/d", base);
    int fd = open(p, O_CREAT | O_WRONLY, 0600);
    if (fd < 0 || ftruncate(fd, 256 << 20) < 0)
        return perror("sparse file"), 2;
    close(fd);
    path(q, "%s/mnt", base);
    if (RUN("zpool", "create", "-o", "cachefile=none", "-m", q, pool, p) != 0) {
        failures++;
        goto cleanup;
    }
    const char *zones[] = { "zp1", "zp2" };
    for (int i = 0; i < 2; i++) {
        path(p, "mountpoint=%s/mnt/%s", base, zones[i]);
        snprintf(ds, sizeof ds, "%s/%s", pool, zones[i]);
        path(q, "%s/mnt/%s", base, zones[i]);
        if (RUN("zfs", "create", "-o", p, ds) != 0 ||
            zbe_image_build_minimal(q, "/bin/busybox", "/usr/local/bin/zbe-extra", err, sizeof err) < 0) {
            printf("setup %s failed: %s\n", zones[i], err);
            failures++;
            goto cleanup;
        }
    }
    path(p, "mountpoint=%s/x", base);
    snprintf(ds, sizeof ds, "%s/x", pool);
    RUN("zfs", "create", "-o", p, ds);
    path(p, "%s/x/hello", base);
    write_file(p, "hello from pool/x\n", 0644);
    RUN("zfs", "umount", ds);
    mkdir(sock, 0755);
    path(p, "%s/from-host", sock);
    write_file(p, "", 0644);
    RUN("ls", "-l", base, q);

    /* --- missing init is refused before anything is started --- */
    CHECK(start_zone("zp1", "/sbin/nope", NULL) < 0 && strstr(err, "not found"),
          "missing init detected before start");
    path(p, "%s/zp1", lxcpath);
    CHECK(access(p, F_OK) < 0 && !zbe_lxc_is_running("zp1", lxcpath), "no container left after refused start");

    /* --- zone 1 --- */
    if (start_zone("zp1", "/sbin/init", sock) < 0) {
        failures++;
        goto cleanup;
    }
    pid_t ipid = zbe_lxc_init_pid("zp1", lxcpath);
    CHECK(zbe_lxc_is_running("zp1", lxcpath) == 1 && ipid > 0, "zp1 running, init pid %d", (int)ipid);
    path(p, "/proc/%d/status", (int)ipid);
    RUN("grep", "-E", "^(PPid|NSpid)", p);
    path(p, "%s/zp1", lxcpath);
    RUN("ls", "-l", p);
    CHECK(ZRUN("zp1", "hostname") == 0 && ZRUN("zp1", "sh", "-c", "[ \"$(hostname)\" = zp1 ]") == 0,
          "hostname is zp1");
    CHECK(ZRUN("zp1", "sh", "-c", "tr '\\0' ' ' </proc/1/cmdline; echo; ps") == 0, "ps / cmdline");
    CHECK(ZRUN("zp1", "env") == 0, "env printed");
    CHECK(ZRUN("zp1", "sh", "-c", "exit 7") == 7, "exit status propagated");
    CHECK(ZRUN("zp1", "no-such-cmd") == 127, "missing command -> 127");
    CHECK(ZRUN("zp1", "sh", "-c", "echo written-in-zone > /root/f") == 0, "write from zone");
    path(p, "%s/mnt/zp1/root/f", base);
    CHECK(file_has(p, "written-in-zone"), "zone write visible on host dataset (%s)", p);
    CHECK(ZRUN("zp1", "ls", "-l", "/var/run/zbe/from-host") == 0, "sockdir bind visible in zone");
    CHECK(ZRUN("zp1", "sh", "-c", "ls -la /var/run/; test ! -e /var/run/zfs && test ! -e /dev/fuse") == 0,
          "no /var/run/zfs and no /dev/fuse in zone");
    CHECK(ZRUN("zp1", "sh", "-c", "mknod /tmp/fuse c 10 229 && ! cat /tmp/fuse") == 0,
          "device cgroup refuses /dev/fuse even if mknod'ed");
    CHECK(ZRUN("zp1", "cmp", "/usr/local/bin/zbe-extra", "/bin/busybox") == 0, "extra binary copied");
    ZRUN("zp1", "cat", "/proc/self/mountinfo");

    /* --- host side: the zone root is now a shared mount, and pinned while the zone runs --- */
    path(p, "%s/mnt/zp1 ", base);
    RUN("grep", p, "/proc/self/mountinfo");
    snprintf(q, sizeof q, "%s/zp1", pool);
    CHECK(RUN("zfs", "umount", q) != 0, "zone root cannot be unmounted while the zone runs");

    /* --- host mounts a dataset below the zone root: it must appear in the zone --- */
    path(p, "mountpoint=%s/mnt/zp1/a", base);
    RUN("zfs", "set", p, ds);
    RUN("zfs", "mount", ds);
    CHECK(ZRUN("zp1", "cat", "/a/hello") == 0, "host zfs mount at <rootfs>/a visible in zone");
    RUN("zfs", "umount", ds);
    CHECK(ZRUN("zp1", "sh", "-c", "test ! -e /a/hello && ! grep -q ' /a ' /proc/self/mountinfo") == 0,
          "host unmount propagated into zone");
    /* and the other direction must not leak: a zone-side mount stays in the zone */
    ZRUN("zp1", "mount", "-t", "tmpfs", "zonetmp", "/tmp");
    CHECK(count_mounts("zonetmp") == 0, "zone mount does not propagate to host");

    /* --- second zone side by side --- */
    if (start_zone("zp2", "/sbin/init", NULL) == 0) {
        pid_t ipid2 = zbe_lxc_init_pid("zp2", lxcpath);
        CHECK(zbe_lxc_is_running("zp1", lxcpath) && zbe_lxc_is_running("zp2", lxcpath) && ipid2 != ipid,
              "zp1 and zp2 running side by side (init pids %d, %d)", (int)ipid, (int)ipid2);
        CHECK(ZRUN("zp2", "sh", "-c", "[ \"$(hostname)\" = zp2 ] && test ! -e /var/run/zbe/from-host && ps") == 0,
              "zp2 has its own hostname, no sockdir, own pid ns");
        CHECK(stop_zone("zp2", 10) == 0 && elapsed < 5, "zp2 clean shutdown via SIGPWR, before the timeout");
    } else
        failures++;

    /* --- bad inits: caught before start (#! interpreter), or reported from lxc's log --- */
    path(p, "%s/mnt/zp2/sbin/badinterp", base);
    write_file(p, "#!/bin/nonexistent\n", 0755);
    CHECK(start_zone("zp2", "/sbin/badinterp", NULL) < 0 && strstr(err, "interpreter"),
          "missing #! interpreter detected before start");
    /* a dynamic ELF whose loader is missing in the zone: execve() fails with ENOENT */
    path(q, "%s/mnt/zp2/sbin/dyninit", base);
    RUN("cp", "/usr/bin/true", q);
    path(p, "%s/zp2", lxcpath);
    CHECK(start_zone("zp2", "/sbin/dyninit", NULL) < 0 && !zbe_lxc_is_running("zp2", lxcpath) &&
          access(p, F_OK) < 0, "init that cannot be exec'd: start fails, nothing left");
    /* --- an init that ignores SIGPWR: stop falls back to SIGKILL after the timeout --- */
    path(p, "%s/mnt/zp2/sbin/stubborn", base);
    write_file(p, "#!/bin/sh\ntrap '' PWR TERM\nwhile :; do sleep 1; done\n", 0755);
    if (start_zone("zp2", "/sbin/stubborn", NULL) == 0) {
        ZRUN("zp2", "ps");
        CHECK(stop_zone("zp2", 2) == 0 && elapsed >= 2 && !zbe_lxc_is_running("zp2", lxcpath),
              "SIGPWR-ignoring init killed after the 2s timeout");
    } else
        failures++;

    if (argc > 1 && strcmp(argv[1], "-i") == 0) {
        int st = ZRUN("zp1", "/bin/sh");
        printf("interactive shell exit status %d\n", st);
    }

cleanup:
    if (lxcpath[0]) {
        for (int i = 0; i < 2; i++) {
            int was = zbe_lxc_is_running(zones[i], lxcpath);
            int rc = stop_zone(zones[i], 10);
            path(p, "%s/%s", lxcpath, zones[i]);
            if (was)
                CHECK(rc == 0 && !zbe_lxc_is_running(zones[i], lxcpath) && access(p, F_OK) < 0,
                      "%s stopped, %s removed", zones[i], p);
            /* what the caller does next: unmount the zone root dataset right away */
            snprintf(ds, sizeof ds, "%s/%s", pool, zones[i]);
            if (was)
                CHECK(RUN("zfs", "umount", ds) == 0, "zone root %s unmountable right after stop", ds);
        }
    }
    sleep(1); /* let the lxc monitors exit before we look for leftovers */
    CHECK(RUN("pgrep", "-af", lxcpath) == 1, "no lxc monitor process left"); /* "[lxc monitor] <lxcpath> <name>" */
    read_small("/proc/self/cgroup", cg_after, sizeof cg_after);
    CHECK(strcmp(cg_before, cg_after) == 0, "caller still in its own cgroups");
    CHECK(count_glob("/sys/fs/cgroup/*/lxc.*.zp[12]*") + count_glob("/sys/fs/cgroup/lxc.*.zp[12]*") == 0,
          "no lxc.monitor/lxc.payload cgroups left for zp1/zp2");
    int lxc_mounts = count_mounts("/lxc/rootfs") + count_mounts("lxc.payload");
    int destroyed = 0;
    for (int i = 0; i < 5 && !destroyed && pool[0]; i++)
        if (!(destroyed = RUN("zpool", "destroy", "-f", pool) == 0))
            sleep(1);
    CHECK(destroyed, "pool destroyed");
    if (destroyed) /* never let rm wander into a still-mounted dataset */
        RUN("rm", "-rf", "--one-file-system", base);
    /* (only our own paths: other pools on this host may come and go meanwhile) */
    int ours = count_mounts(base);
    CHECK(lxc_mounts == 0 && ours == 0, "no mounts left on host (lxc %d, under %s %d)", lxc_mounts, base, ours);
    printf("%s (%d failures)\n", failures ? "FAILED" : "ALL OK", failures);
    return failures ? 1 : 0;
}
