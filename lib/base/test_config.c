/* Unit tests: zbe.conf parsing (config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"

static char path[] = "/tmp/zbe-unit-conf.XXXXXX";

static void
write_conf(const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
setup(void **state)
{
	(void)state;
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void
defaults(void **state)
{
	zbe_config_t c;
	char err[256];
	(void)state;
	assert_int_equal(zbe_config_load(&c, "/nonexistent/zbe.conf", false, err, sizeof(err)), ZBE_OK);
	assert_string_equal(c.system_root, "/");
	assert_string_equal(c.zones_dir, "/etc/zbe/zones");
	assert_string_equal(c.run_dir, "/run/zbe");
	assert_string_equal(c.zfs, "zfs");
	assert_string_equal(c.subuid_file, "/etc/subuid");
	assert_string_equal(c.subgid_file, "/etc/subgid");
	assert_null(c.be_root);
	zbe_config_free(&c);
}

static void
keys_and_comments(void **state)
{
	zbe_config_t c;
	char err[256];
	(void)state;
	write_conf("# comment\n\nsystem_root = /tmp/sr  # trailing\nbe_root=pool/ROOT\nzfs = /usr/local/bin/zfs\n");
	assert_int_equal(zbe_config_load(&c, path, true, err, sizeof(err)), ZBE_OK);
	assert_string_equal(c.system_root, "/tmp/sr");
	assert_string_equal(c.zones_dir, "/tmp/sr/etc/zbe/zones");
	assert_string_equal(c.be_root, "pool/ROOT");
	assert_string_equal(c.zfs, "/usr/local/bin/zfs");
	zbe_config_free(&c);
}

static void
errors_name_file_and_line(void **state)
{
	zbe_config_t c;
	char err[256], want[300];
	(void)state;
	write_conf("run_dir = /run/x\nbogus = 1\n");
	assert_int_equal(zbe_config_load(&c, path, true, err, sizeof(err)), ZBE_ECONFIG);
	snprintf(want, sizeof(want), "%s:2: unknown key 'bogus'", path);
	assert_string_equal(err, want);
	write_conf("system_root = relative\n");
	assert_int_equal(zbe_config_load(&c, path, true, err, sizeof(err)), ZBE_ECONFIG);
	assert_non_null(strstr(err, ":1: system_root"));
	write_conf("be_root = /pool\n");
	assert_int_equal(zbe_config_load(&c, path, true, err, sizeof(err)), ZBE_ECONFIG);
	write_conf("be_root = pool//ROOT\n");
	assert_int_equal(zbe_config_load(&c, path, true, err, sizeof(err)), ZBE_ECONFIG);
	write_conf("no equals sign\n");
	assert_int_equal(zbe_config_load(&c, path, true, err, sizeof(err)), ZBE_ECONFIG);
	assert_int_equal(zbe_config_load(&c, "/nonexistent/x.conf", true, err, sizeof(err)), ZBE_ECONFIG);
}

static void
driver_key(void **state)
{
	zbe_config_t c;
	char err[256];
	(void)state;
	write_conf("driver = openzfs\n");
	assert_int_equal(zbe_config_load(&c, path, true, err, sizeof(err)), ZBE_OK);
	assert_string_equal(c.driver, "openzfs");
	zbe_config_free(&c);
	write_conf("driver = zfs-fuse\n");
	assert_int_equal(zbe_config_load(&c, path, true, err, sizeof(err)), ZBE_OK);
	assert_string_equal(c.driver, "zfs-fuse");
	zbe_config_free(&c);
	write_conf("driver = btrfs\n");
	assert_int_equal(zbe_config_load(&c, path, true, err, sizeof(err)), ZBE_ECONFIG);
	assert_non_null(strstr(err, "auto, openzfs or zfs-fuse"));
}

static void
openzfs_versions(void **state)
{
	(void)state;
	assert_true(zbe_openzfs_version_ok("2.1.11-1+deb12u1"));
	assert_true(zbe_openzfs_version_ok("2.3.2-2~bpo12+2"));
	assert_true(zbe_openzfs_version_ok("2.10.0"));
	assert_true(zbe_openzfs_version_ok("3.0.0"));
	assert_false(zbe_openzfs_version_ok("2.0.7-1"));
	assert_false(zbe_openzfs_version_ok("0.8.6-1"));
	assert_false(zbe_openzfs_version_ok("garbage"));
	assert_false(zbe_openzfs_version_ok(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(keys_and_comments),
		cmocka_unit_test(errors_name_file_and_line),
		cmocka_unit_test(driver_key),
		cmocka_unit_test(openzfs_versions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
