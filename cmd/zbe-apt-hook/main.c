/*
 * zbe-apt-hook: apt's DPkg::Pre-Install-Pkgs hook (debian/80zbe).  When
 * zbe.conf has apt_snapshot = on, it makes a BE of the running one before
 * the transaction, automatic (policy=auto) and described by the packages,
 * then lets beadm prune apply retention.  Inside a zone the zone's beadm
 * does the same through the broker: the hook only ever runs beadm.
 *
 * It never fails apt and never holds it long: whatever goes wrong is one
 * line on stderr and exit 0, and each beadm gets apt_timeout seconds.
 */
#include "hook.h"
#include "zbe.h"
#include "zbe_build.h"
#include "zbe_props.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned timeout = 60; /* zbe.conf's apt_timeout */
/* where beadm is: the package's sbin, or /usr/sbin in a zone image */
#ifndef HOOK_SBINDIR
#define HOOK_SBINDIR ZBE_SBINDIR
#endif
#define TOOL "zbe-apt-hook"

static const char *
beadm_path(void)
{
	const char *p = getenv("ZBE_BEADM"); /* tests run the build's beadm */

	return p != NULL && *p == '/' ? p : HOOK_SBINDIR "/beadm";
}

/* Run beadm with args; false (and the warning printed) when it failed. */
static bool
beadm(const char *doing, char **args, hook_child_t *c)
{
	char *argv[16] = { (char *)beadm_path() };
	size_t n = 1;

	for (; args[n - 1] != NULL && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	hook_run(argv, timeout, c);
	if (c->status == 0)
		return true;
	fprintf(stderr, TOOL ": warning: %s: %s; apt goes on\n", doing, hook_child_why(c));
	return false;
}

/* Read "beadm list -j": is there a BE made for txn?  Is name taken? */
static bool
list_has(json_object *list, const char *txn, const char *name, bool *taken)
{
	bool found = false;

	*taken = false;
	json_object_object_foreach(list, be, o) {
		json_object *v;
		if (name != NULL && strcmp(be, name) == 0)
			*taken = true;
		if (txn != NULL && json_object_object_get_ex(o, "apt_txn", &v) &&
		    json_object_is_type(v, json_type_string) && strcmp(json_object_get_string(v), txn) == 0)
			found = true;
	}
	return found;
}

/* apt-YYYYMMDD-HHMMSS, with -2, -3 ... if a BE has that name already. */
static bool
pick_name(json_object *list, char *name, size_t len)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	bool taken;

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "apt-%Y%m%d-%H%M%S", &tm);
	snprintf(name, len, "%s", stamp);
	for (unsigned k = 2; k < 100; k++) {
		list_has(list, NULL, name, &taken);
		if (!taken)
			return true;
		snprintf(name, len, "%s-%u", stamp, k);
	}
	return false;
}

/* Is apt_snapshot on (and how long may beadm take)?  A zbe.conf that
 * cannot be read is a warning. */
static bool
enabled(void)
{
	char errbuf[512];
	zbe_err_t err;
	zbe_handle_t *h = zbe_open(NULL, &err, errbuf, sizeof(errbuf));

	if (h == NULL) {
		fprintf(stderr, TOOL ": warning: %s; apt goes on without a boot environment\n", errbuf);
		return false;
	}
	const char *v = zbe_conf_get(h, "apt_snapshot");
	bool on = v != NULL && strcmp(v, "on") == 0;
	if ((v = zbe_conf_get(h, "apt_timeout")) != NULL)
		timeout = (unsigned)strtoul(v, NULL, 10);
	zbe_close(h);
	return on;
}

static void
make_be(const char *desc, const char *txn)
{
	hook_child_t c;
	char name[64], *policy = NULL, *txn_prop = NULL;

	char *list_args[] = { "list", "-j", NULL };
	if (!beadm("no boot environment before this apt run", list_args, &c))
		goto out;
	json_object *list = json_tokener_parse(c.out != NULL ? c.out : "");
	if (list == NULL || !json_object_is_type(list, json_type_object)) {
		fprintf(stderr, TOOL ": warning: beadm list -j: unexpected output; apt goes on\n");
		json_object_put(list);
		goto out;
	}
	bool taken, done = txn != NULL && list_has(list, txn, NULL, &taken);
	bool named = !done && pick_name(list, name, sizeof(name));
	json_object_put(list);
	/* one BE a transaction: dpkg ran before in this one (unattended-upgrade) */
	if (done)
		goto out;
	if (!named) {
		fprintf(stderr, TOOL ": warning: no free apt-<date> name; apt goes on\n");
		goto out;
	}
	hook_child_free(&c);
	if (asprintf(&policy, "%s=%s", ZBE_PROP_POLICY, ZBE_POLICY_AUTO) < 0 ||
	    (txn != NULL && asprintf(&txn_prop, "%s=%s", ZBE_PROP_APT_TXN, txn) < 0)) {
		fprintf(stderr, TOOL ": warning: out of memory; apt goes on\n");
		goto out;
	}
	char *create_args[10];
	size_t k = 0;
	create_args[k++] = "create";
	create_args[k++] = "-d";
	create_args[k++] = (char *)(desc != NULL ? desc : "apt");
	create_args[k++] = "-o";
	create_args[k++] = policy;
	if (txn_prop != NULL) {
		create_args[k++] = "-o";
		create_args[k++] = txn_prop;
	}
	create_args[k++] = name;
	create_args[k] = NULL;
	if (!beadm("no boot environment before this apt run", create_args, &c))
		goto out;
	printf(TOOL ": boot environment %s made before this apt run\n", name);
	fflush(stdout);
	hook_child_free(&c);
	char *prune_args[] = { "prune", NULL };
	beadm("beadm prune", prune_args, &c);
out:
	hook_child_free(&c);
	free(policy);
	free(txn_prop);
}

int
main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: " TOOL " < apt's Pre-Install-Pkgs input (see zbe.conf(5))\n");
		return 0; /* even misused, it must not fail apt */
	}
	/* read all apt writes, whatever happens next: apt must not see a broken pipe */
	char *desc = hook_read_packages(stdin);
	if (enabled()) {
		char *txn = hook_txn_key();
		make_be(desc, txn);
		free(txn);
	}
	free(desc);
	return 0;
}
