/*
 * A zone's resource caps and net resources in its configuration file
 * (see state.h): parsing and checking the values zonecfg takes, and
 * writing them back.  Every value ends up in the zone's LXC configuration
 * (runtime/lxc.c), so nothing but the shapes below gets through.
 */
#include "state.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MEMORY_MIN (4ull << 20)  /* below this no init starts: a typo, not a cap */
#define CPU_CENTI_MAX (1024u * 100u)
#define PROCESSES_MAX 4194304u   /* the kernel's highest pid_max */

/* SIZE: digits and one of K, M, G, T (either case; 1024-based); bare digits
 * are bytes.  No fraction: a memory cap is whole bytes. */
static bool
parse_size(const char *v, uint64_t *out)
{
	size_t n = strspn(v, "0123456789");
	unsigned shift = 0;
	char *end;

	if (n == 0 || n > 15)
		return false;
	errno = 0;
	uint64_t b = strtoull(v, &end, 10);
	if (errno != 0)
		return false;
	if (*end != '\0') {
		const char *s = strchr("KMGT", *end & ~0x20);
		if (s == NULL || end[1] != '\0')
			return false;
		shift = 10u * (unsigned)(s - "KMGT" + 1);
	}
	if (b > (UINT64_MAX >> 1) >> shift)
		return false;
	*out = b << shift;
	return true;
}

/* N, N.N or N.NN CPUs, in hundredths. */
static bool
parse_ncpus(const char *v, uint32_t *out)
{
	size_t n = strspn(v, "0123456789"), f = 0;
	unsigned long whole, frac = 0;

	if (n == 0 || n > 5)
		return false;
	whole = strtoul(v, NULL, 10);
	if (v[n] == '.') {
		f = strspn(v + n + 1, "0123456789");
		if (f == 0 || f > 2 || v[n + 1 + f] != '\0')
			return false;
		frac = strtoul(v + n + 1, NULL, 10) * (f == 1 ? 10 : 1);
	} else if (v[n] != '\0') {
		return false;
	}
	unsigned long c = whole * 100 + frac;
	if (c == 0 || c > CPU_CENTI_MAX)
		return false;
	*out = (uint32_t)c;
	return true;
}

static bool
parse_count(const char *v, uint32_t *out)
{
	size_t n = strspn(v, "0123456789");
	unsigned long c;

	if (n == 0 || n > 7 || v[n] != '\0' || v[0] == '0')
		return false;
	c = strtoul(v, NULL, 10);
	if (c > PROCESSES_MAX)
		return false;
	*out = (uint32_t)c;
	return true;
}

/* a.b.c.d in its one canonical spelling (inet_pton refuses "01.2.3.4"). */
static bool
parse_ipv4(const char *v, uint32_t *addr)
{
	struct in_addr a;

	if (strlen(v) > 15 || inet_pton(AF_INET, v, &a) != 1)
		return false;
	*addr = ntohl(a.s_addr);
	return true;
}

/* a.b.c.d/len with len 1..32; not the network's or the broadcast address
 * of a /1../30 (the zone could not talk with those). */
static bool
parse_cidr(const char *v, uint32_t *addr, unsigned *len)
{
	const char *slash = strchr(v, '/');
	char ip[16];

	if (slash == NULL || (size_t)(slash - v) >= sizeof(ip))
		return false;
	snprintf(ip, sizeof(ip), "%.*s", (int)(slash - v), v);
	size_t n = strspn(slash + 1, "0123456789");
	if (n == 0 || n > 2 || slash[1 + n] != '\0' || slash[1] == '0')
		return false;
	*len = (unsigned)strtoul(slash + 1, NULL, 10);
	if (*len < 1 || *len > 32 || !parse_ipv4(ip, addr))
		return false;
	uint32_t host = *len == 32 ? 0 : 0xffffffffu >> *len;
	return *len >= 31 || ((*addr & host) != 0 && (*addr & host) != host);
}

/* physical=IF[,address=A/L|dhcp][,defrouter=G]: one net resource. */
static zbe_err_t
parse_net(zbe_handle_t *h, const char *v, zbe_zone_net_t *net)
{
	char *copy = strdup(v), *save = NULL;
	zbe_err_t err = ZBE_OK;

	memset(net, 0, sizeof(*net));
	if (copy == NULL)
		return zbe_fail(h, ZBE_ENOMEM, NULL, NULL);
	for (char *kv = strtok_r(copy, ",", &save); kv != NULL && err == ZBE_OK; kv = strtok_r(NULL, ",", &save)) {
		char *val = strchr(kv, '=');
		uint32_t a;
		unsigned l;
		if (val == NULL) {
			err = zbe_fail(h, ZBE_EINVAL, kv, "a net property is key=value");
			break;
		}
		*val++ = '\0';
		if (strcmp(kv, "physical") == 0) {
			if (!zbe_ifname_valid(val))
				err = zbe_fail(h, ZBE_EINVAL, val, "physical is a bridge's interface name: "
				    "1 to %d of A-Z a-z 0-9 _ . -, not starting with -", ZBE_IFNAME_MAX);
			else
				snprintf(net->physical, sizeof(net->physical), "%s", val);
		} else if (strcmp(kv, "address") == 0) {
			if (strcmp(val, "dhcp") != 0 && !parse_cidr(val, &a, &l))
				err = zbe_fail(h, ZBE_EINVAL, val,
				    "address is an IPv4 host address with its prefix length (10.0.0.2/24), or dhcp");
			else
				snprintf(net->address, sizeof(net->address), "%s", val);
		} else if (strcmp(kv, "defrouter") == 0) {
			if (!parse_ipv4(val, &a))
				err = zbe_fail(h, ZBE_EINVAL, val, "defrouter is an IPv4 address (10.0.0.1)");
			else
				snprintf(net->defrouter, sizeof(net->defrouter), "%s", val);
		} else {
			err = zbe_fail(h, ZBE_EINVAL, kv, "unknown net property (physical, address, defrouter)");
		}
	}
	free(copy);
	if (err != ZBE_OK)
		return err;
	if (net->physical[0] == '\0')
		return zbe_fail(h, ZBE_EINVAL, v, "a net resource needs physical=BRIDGE");
	if (net->defrouter[0] != '\0') {
		uint32_t a = 0, g = 0;
		unsigned l = 0;
		if (net->address[0] == '\0' || strcmp(net->address, "dhcp") == 0)
			return zbe_fail(h, ZBE_EINVAL, v, "defrouter needs a static address");
		parse_cidr(net->address, &a, &l);
		parse_ipv4(net->defrouter, &g);
		uint32_t mask = l == 0 ? 0 : 0xffffffffu << (32 - l);
		if ((a & mask) != (g & mask) || a == g)
			return zbe_fail(h, ZBE_EINVAL, v, "defrouter %s is not another host of %s", net->defrouter,
			    net->address);
	}
	return ZBE_OK;
}

static zbe_err_t
add_net(zbe_handle_t *h, zbe_zone_conf_t *zc, const char *v)
{
	zbe_zone_net_t net;
	zbe_err_t err;

	if (strcmp(v, "none") == 0) { /* every net resource goes */
		memset(zc->net, 0, sizeof(zc->net));
		zc->nnet = 0;
		return ZBE_OK;
	}
	if ((err = parse_net(h, v, &net)) != ZBE_OK)
		return err;
	if (zc->nnet == ZBE_ZONE_NET_MAX)
		return zbe_fail(h, ZBE_EINVAL, v, "a zone has at most %d net resources", ZBE_ZONE_NET_MAX);
	for (size_t i = 0; i < zc->nnet; i++)
		if (net.address[0] != '\0' && strcmp(net.address, "dhcp") != 0 &&
		    strcmp(zc->net[i].address, net.address) == 0)
			return zbe_fail(h, ZBE_EINVAL, v, "address %s is already the zone's", net.address);
	zc->net[zc->nnet++] = net;
	return ZBE_OK;
}

zbe_err_t
zbe_zone_conf_set_limit(zbe_handle_t *h, zbe_zone_conf_t *zc, const char *key, const char *v, bool *known)
{
	bool none = strcmp(v, "none") == 0;
	zbe_zone_caps_t c = zc->caps;

	*known = true;
	if (strcmp(key, "capped-memory.physical") == 0) {
		if (none)
			c.memory = 0;
		else if (!parse_size(v, &c.memory) || c.memory < MEMORY_MIN)
			return zbe_fail(h, ZBE_EINVAL, v,
			    "capped-memory.physical is a size of at least 4M (512M, 2G), or none");
	} else if (strcmp(key, "capped-cpu.ncpus") == 0) {
		if (none)
			c.cpu_centi = 0;
		else if (!parse_ncpus(v, &c.cpu_centi))
			return zbe_fail(h, ZBE_EINVAL, v,
			    "capped-cpu.ncpus is a number of CPUs from 0.01 to 1024 with at most two decimals (1.5), or none");
	} else if (strcmp(key, "max-processes") == 0) {
		if (none)
			c.max_processes = 0;
		else if (!parse_count(v, &c.max_processes))
			return zbe_fail(h, ZBE_EINVAL, v, "max-processes is a count from 1 to %u, or none",
			    PROCESSES_MAX);
	} else if (strcmp(key, "net") == 0) {
		return add_net(h, zc, v);
	} else {
		*known = false;
		return ZBE_OK;
	}
	zc->caps = c;
	return ZBE_OK;
}

void
zbe_zone_limits_write(FILE *f, const zbe_zone_conf_t *zc)
{
	char buf[32];

	if (zc->caps.memory != 0)
		fprintf(f, "capped-memory.physical=%s\n", zbe_zone_caps_memory_str(&zc->caps, buf, sizeof(buf)));
	if (zc->caps.cpu_centi != 0)
		fprintf(f, "capped-cpu.ncpus=%s\n", zbe_zone_caps_cpu_str(&zc->caps, buf, sizeof(buf)));
	if (zc->caps.max_processes != 0)
		fprintf(f, "max-processes=%u\n", (unsigned)zc->caps.max_processes);
	for (size_t i = 0; i < zc->nnet; i++) {
		const zbe_zone_net_t *n = &zc->net[i];
		fprintf(f, "net=physical=%s%s%s%s%s\n", n->physical, n->address[0] ? ",address=" : "", n->address,
		    n->defrouter[0] ? ",defrouter=" : "", n->defrouter);
	}
}

const char *
zbe_zone_caps_memory_str(const zbe_zone_caps_t *c, char *buf, size_t len)
{
	static const char units[] = "TGMK";
	uint64_t b = c->memory;

	if (b == 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	for (unsigned i = 0; i < 4; i++) {
		unsigned shift = 10u * (4 - i);
		if ((b & ((1ull << shift) - 1)) == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(b >> shift), units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)b);
	return buf;
}

const char *
zbe_zone_caps_cpu_str(const zbe_zone_caps_t *c, char *buf, size_t len)
{
	if (c->cpu_centi == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%u.%02u", (unsigned)(c->cpu_centi / 100), (unsigned)(c->cpu_centi % 100));
	return buf;
}
