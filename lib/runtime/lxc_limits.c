/* A zone's resource caps and net resources as LXC config items (see runtime.h). */
#include "runtime.h"

#include <linux/magic.h>
#include <lxc/lxccontainer.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>

#define CPU_PERIOD_US 100000u /* the kernel's default CFS period */

/*
 * Which keys carry the caps is decided by what the host mounts, not by a
 * setting: a pure cgroup v2 host (Debian 12 and later) has cgroup2 at
 * /sys/fs/cgroup and takes lxc.cgroup2.*; a v1 or hybrid host (tmpfs there,
 * the memory, cpu and pids hierarchies below it, cgroup2 at most at
 * /sys/fs/cgroup/unified without controllers) takes lxc.cgroup.*, as
 * liblxc places a container in each v1 hierarchy.
 */
bool
zbe_cgroup_v2_host(void)
{
	struct statfs sf;

	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static bool
only(const char *v, const char *set)
{
	return strspn(v, set) == strlen(v);
}

static zbe_err_t
set(zbe_handle_t *h, struct lxc_container *c, const char *key, const char *val)
{
	if (!c->set_config_item(c, key, val))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "lxc: cannot set %s = %s", key, val);
	return ZBE_OK;
}

static zbe_err_t
caps_config(zbe_handle_t *h, struct lxc_container *c, const zbe_zone_caps_t *caps)
{
	bool v2 = zbe_cgroup_v2_host();
	char mem[32], period[16], quota[32], cpumax[48], pids[16];
	zbe_err_t err = ZBE_OK;

	snprintf(mem, sizeof(mem), "%llu", (unsigned long long)caps->memory);
	snprintf(quota, sizeof(quota), "%llu", (unsigned long long)caps->cpu_centi * CPU_PERIOD_US / 100);
	snprintf(period, sizeof(period), "%u", CPU_PERIOD_US);
	snprintf(cpumax, sizeof(cpumax), "%s %s", quota, period);
	snprintf(pids, sizeof(pids), "%u", (unsigned)caps->max_processes);
	/* the OOM killer then picks inside the zone's cgroup only: the cap is
	 * the zone's, never a reason to kill a host process */
	if (caps->memory != 0)
		err = set(h, c, v2 ? "lxc.cgroup2.memory.max" : "lxc.cgroup.memory.limit_in_bytes", mem);
	if (err == ZBE_OK && caps->cpu_centi != 0) {
		if (v2)
			err = set(h, c, "lxc.cgroup2.cpu.max", cpumax);
		else if ((err = set(h, c, "lxc.cgroup.cpu.cfs_period_us", period)) == ZBE_OK)
			err = set(h, c, "lxc.cgroup.cpu.cfs_quota_us", quota);
	}
	if (err == ZBE_OK && caps->max_processes != 0)
		err = set(h, c, v2 ? "lxc.cgroup2.pids.max" : "lxc.cgroup.pids.max", pids);
	return err;
}

/* lxc.net.<i>: a veth pair, the host end (named by liblxc, vethXXXXXX) on
 * the bridge, the zone end eth<i>; a static address and route are set by
 * liblxc before init runs, "dhcp" leaves the address to the zone. */
static zbe_err_t
net_config(zbe_handle_t *h, struct lxc_container *c, size_t i, const zbe_zone_net_t *n)
{
	char key[64], name[16];
	zbe_err_t err;

	/* checked when configured; again here, as these become config lines */
	if (!zbe_ifname_valid(n->physical) || !only(n->address, "0123456789./dhcp") ||
	    !only(n->defrouter, "0123456789."))
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone spec: net resource %zu is not valid", i);
	/* i < ZBE_ZONE_NET_MAX already; the modulo bounds it for -Wformat-truncation */
	snprintf(name, sizeof(name), "eth%u", (unsigned)(i % ZBE_ZONE_NET_MAX));
	const struct {
		const char *leaf, *val;
	} items[] = {
		{ "type", "veth" },
		{ "link", n->physical },
		{ "flags", "up" },
		{ "name", name },
		{ "ipv4.address", n->address[0] != '\0' && strcmp(n->address, "dhcp") != 0 ? n->address : NULL },
		{ "ipv4.gateway", n->defrouter[0] != '\0' ? n->defrouter : NULL },
	};
	for (size_t k = 0; k < sizeof(items) / sizeof(items[0]); k++) {
		if (items[k].val == NULL)
			continue;
		snprintf(key, sizeof(key), "lxc.net.%zu.%s", i, items[k].leaf);
		if ((err = set(h, c, key, items[k].val)) != ZBE_OK)
			return err;
	}
	return ZBE_OK;
}

zbe_err_t
zbe_lxc_limits_config(zbe_handle_t *h, struct lxc_container *c, const zbe_lxc_spec_t *s)
{
	zbe_err_t err = ZBE_OK;

	if (s->caps != NULL)
		err = caps_config(h, c, s->caps);
	if (s->nnet > ZBE_ZONE_NET_MAX)
		return zbe_fail_sys(h, ZBE_EZONE, 0, "zone spec: more than %d net resources", ZBE_ZONE_NET_MAX);
	for (size_t i = 0; err == ZBE_OK && i < s->nnet; i++)
		err = net_config(h, c, i, &s->net[i]);
	return err;
}
