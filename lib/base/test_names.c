/* Unit tests: the name rules (names.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "zbe.h"

static void
valid_names(void **state)
{
	(void)state;
	const char *ok[] = { "a", "GBE1", "be-2026.11:26_x", "0", "A.b", NULL };
	for (int i = 0; ok[i]; i++)
		assert_true(zbe_name_valid(ok[i]));
	char max[65];
	memset(max, 'x', 64);
	max[64] = '\0';
	assert_true(zbe_name_valid(max));
}

static void
invalid_names(void **state)
{
	(void)state;
	const char *bad[] = { "", "-r", ".x", "a b", "a/b", "a@b", "a%b", "a..b", "..", "_a", ":a",
		"a\nb", "a\tb", "é", "a*", "a;b", NULL };
	for (int i = 0; bad[i]; i++)
		assert_false(zbe_name_valid(bad[i]));
	char long65[66];
	memset(long65, 'x', 65);
	long65[65] = '\0';
	assert_false(zbe_name_valid(long65));
	assert_false(zbe_name_valid(NULL));
}

static void
zone_names(void **state)
{
	(void)state;
	assert_true(zbe_zone_name_valid("z1"));
	assert_false(zbe_zone_name_valid("z:1"));
	assert_false(zbe_zone_name_valid("global"));
	assert_false(zbe_zone_name_valid("../z"));
}

/* interface names reach lxc config lines: 15 characters, no separators */
static void
interface_names(void **state)
{
	(void)state;
	const char *ok[] = { "br0", "lxcbr0", "a", "br-lan.10", "abcdefghijklmno", "vm_br" };
	const char *bad[] = { "", "abcdefghijklmnop", "-br", ".", "..", "br 0", "br0\n", "br/0", "br:0",
	    "br,0", "br=0", "br;0" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(zbe_ifname_valid(ok[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(zbe_ifname_valid(bad[i]));
	assert_false(zbe_ifname_valid(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_names),
		cmocka_unit_test(invalid_names),
		cmocka_unit_test(zone_names),
		cmocka_unit_test(interface_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
