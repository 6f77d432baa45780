/* Unit tests: parsing "zfs get -Hp" and "zfs list -Hp" output into a tree (tree.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "zfs.h"

static const char *get_output =
    "p/ROOT/b\ttype\tfilesystem\t-\n"
    "p/ROOT/b\tused\t4096\t-\n"
    "p/ROOT/b\tcreation\t1700000000\t-\n"
    "p/ROOT/b\torigin\tp/ROOT/a@s1\t-\n"
    "p/ROOT/b\tmountpoint\tlegacy\tlocal\n"
    "p/ROOT/b\torg.opensolaris.libbe:uuid\tu-b\tlocal\n"
    "p/ROOT/a\ttype\tfilesystem\t-\n"
    "p/ROOT/a\tmountpoint\tlegacy\tlocal\n"
    "p/ROOT/a@s2\ttype\tsnapshot\t-\n"
    "p/ROOT/a@s2\torg.zbe:auto\ton\tlocal\n"
    "p/ROOT/a@s1\ttype\tsnapshot\t-\n"
    "p/ROOT/a/var\ttype\tfilesystem\t-\n"
    "p/ROOT/a/var\tmountpoint\tlegacy\tinherited from p/ROOT/a\n"
    "p/ROOT/a-b\ttype\tfilesystem\t-\n";

static void
parse_and_sort(void **state)
{
	zbe_tree_t t = { 0 };
	(void)state;
	assert_int_equal(zbe_tree_parse_get(&t, get_output), ZBE_OK);
	assert_int_equal(t.n, 6);
	/* a dataset, its children, then its snapshots in listing order, then a sibling */
	assert_string_equal(t.ds[0].name, "p/ROOT/a");
	assert_string_equal(t.ds[1].name, "p/ROOT/a/var");
	assert_string_equal(t.ds[2].name, "p/ROOT/a@s2");
	assert_string_equal(t.ds[3].name, "p/ROOT/a@s1");
	assert_string_equal(t.ds[4].name, "p/ROOT/a-b");
	assert_string_equal(t.ds[5].name, "p/ROOT/b");
	zbe_tree_free(&t);
}

static void
properties(void **state)
{
	zbe_tree_t t = { 0 };
	(void)state;
	assert_int_equal(zbe_tree_parse_get(&t, get_output), ZBE_OK);
	zbe_ds_t *b = zbe_tree_find(&t, "p/ROOT/b");
	assert_non_null(b);
	assert_false(b->snapshot);
	assert_int_equal(b->used, 4096);
	assert_int_equal(b->creation, 1700000000);
	assert_string_equal(b->origin, "p/ROOT/a@s1");
	assert_string_equal(b->uuid, "u-b");
	assert_true(b->mountpoint_local);
	zbe_ds_t *var = zbe_tree_find(&t, "p/ROOT/a/var");
	assert_non_null(var);
	assert_false(var->mountpoint_local);
	assert_null(var->origin);
	zbe_ds_t *s2 = zbe_tree_find(&t, "p/ROOT/a@s2");
	assert_non_null(s2);
	assert_true(s2->snapshot);
	assert_true(s2->auto_snap);
	assert_null(zbe_tree_find(&t, "p/ROOT/c"));
	assert_null(zbe_tree_find(&t, "p/ROOT"));
	zbe_tree_free(&t);
}

/* A zone's marks: installing, detached, moving. */
static void
zone_marks(void **state)
{
	zbe_tree_t t = { 0 };
	(void)state;
	assert_int_equal(zbe_tree_parse_get(&t,
	    "p/zones/a\ttype\tfilesystem\t-\n"
	    "p/zones/a\torg.zbe:zonestate\tdetached\tlocal\n"
	    "p/zones/a\torg.zbe:move-to\t/z/b\tlocal\n"
	    "p/zones/c\ttype\tfilesystem\t-\n"
	    "p/zones/c\torg.zbe:zonestate\tincomplete\tlocal\n"), ZBE_OK);
	zbe_tree_finish(&t);
	zbe_ds_t *a = zbe_tree_find(&t, "p/zones/a"), *c = zbe_tree_find(&t, "p/zones/c");
	assert_true(a->detached);
	assert_false(a->incomplete);
	assert_string_equal(a->move_to, "/z/b");
	assert_true(c->incomplete);
	assert_false(c->detached);
	assert_null(c->move_to);
	zbe_tree_free(&t);
}

static void
bad_input(void **state)
{
	zbe_tree_t t = { 0 };
	(void)state;
	assert_int_equal(zbe_tree_parse_get(&t, "p/x\tused\tnot-a-number\t-\n"), ZBE_EZFS);
	zbe_tree_free(&t);
	assert_int_equal(zbe_tree_parse_get(&t, "just-one-field\n"), ZBE_EZFS);
	zbe_tree_free(&t);
}

static void
list_lines(void **state)
{
	zbe_tree_t t = { 0 };
	char line[] = "p/ROOT/x\tfilesystem\t8192\t1700000001\t-\tlegacy\tnoauto\tu-x\t-\t-\tdesc\t-\t-\toff"
	    "\tauto\t42:1234\t77\t-\t-\t-\tp/zones/z1/rpool/ZBE1@c\tZBE2\t-\tGBE1";
	(void)state;
	assert_int_equal(zbe_tree_list_line(&t, line), ZBE_OK);
	zbe_tree_finish(&t);
	zbe_ds_t *x = zbe_tree_find(&t, "p/ROOT/x");
	assert_non_null(x);
	assert_int_equal(x->used, 8192);
	assert_string_equal(x->uuid, "u-x");
	assert_string_equal(x->description, "desc");
	assert_true(x->policy_auto);
	assert_string_equal(x->apt_txn, "42:1234");
	assert_int_equal(x->createtxg, 77);
	assert_string_equal(x->clone_snap, "p/zones/z1/rpool/ZBE1@c");
	assert_string_equal(x->last_booted, "ZBE2");
	assert_null(x->move_to);
	assert_string_equal(x->revert, "GBE1");
	zbe_tree_free(&t);
}

/* zfs list gives no sources: a child's mountpoint is its own when it is not
 * what its parent's makes it. */
static void
list_mountpoint_sources(void **state)
{
	zbe_tree_t t = { 0 };
	const char *lines[] = {
		"p/ROOT/a\tfilesystem\t1\t1\t-\tlegacy\tnoauto\tu\t-\t-\t-\t-\t-\toff\t-\t-\t1\t-\t-\t-\t-\t-\t-\t-",
		"p/ROOT/a/var\tfilesystem\t1\t2\t-\tlegacy\ton\t-\t-\t-\t-\t-\t-\toff\t-\t-\t1\t-\t-\t-\t-\t-\t-\t-",
		"p/ROOT/a/opt\tfilesystem\t1\t3\t-\t/opt\ton\t-\t-\t-\t-\t-\t-\toff\t-\t-\t1\t-\t-\t-\t-\t-\t-\t-",
		"p/ROOT/b\tfilesystem\t1\t4\t-\t/\tnoauto\tu2\t-\t-\t-\t-\t-\toff\t-\t-\t1\t-\t-\t-\t-\t-\t-\t-",
		"p/ROOT/b/var\tfilesystem\t1\t5\t-\t/var\ton\t-\t-\t-\t-\t-\t-\toff\t-\t-\t1\t-\t-\t-\t-\t-\t-\t-",
		"p/ROOT/b/srv\tfilesystem\t1\t6\t-\t/elsewhere\ton\t-\t-\t-\t-\t-\t-\toff\t-\t-\t1\t-\t-\t-\t-\t-\t-\t-",
		"p/ROOT/b/var/log\tfilesystem\t1\t7\t-\t/var/log\ton\t-\t-\t-\t-\t-\t-\toff\t-\t-\t1\t-\t-\t-\t-\t-\t-\t-",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", lines[i]);
		assert_int_equal(zbe_tree_list_line(&t, buf), ZBE_OK);
	}
	zbe_tree_finish(&t);
	assert_false(zbe_tree_find(&t, "p/ROOT/a/var")->mountpoint_local);
	assert_true(zbe_tree_find(&t, "p/ROOT/a/opt")->mountpoint_local);
	assert_false(zbe_tree_find(&t, "p/ROOT/b/var")->mountpoint_local);
	assert_true(zbe_tree_find(&t, "p/ROOT/b/srv")->mountpoint_local);
	assert_false(zbe_tree_find(&t, "p/ROOT/b/var/log")->mountpoint_local);
	zbe_tree_free(&t);
}

static void
under(void **state)
{
	(void)state;
	assert_true(zbe_ds_under("p/a", "p/a"));
	assert_true(zbe_ds_under("p/a/b", "p/a"));
	assert_true(zbe_ds_under("p/a@s", "p/a"));
	assert_false(zbe_ds_under("p/ab", "p/a"));
	assert_false(zbe_ds_under("p", "p/a"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_and_sort),
		cmocka_unit_test(properties),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(zone_marks),
		cmocka_unit_test(list_lines),
		cmocka_unit_test(list_mountpoint_sources),
		cmocka_unit_test(under),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
