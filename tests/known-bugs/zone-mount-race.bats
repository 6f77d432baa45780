# KNOWN BUG, not run by tests/run: a zone can race the broker's path check
# (check, then mount by path string in the host's namespace) and get a ZBE
# mounted outside the zone.  These tests fail until the mount is done
# through a zone-root-relative fd (openat2 RESOLVE_IN_ROOT + move_mount).
# Run: bats tests/known-bugs/zone-mount-race.bats
#!/usr/bin/env bats
# The zone policy, attacked from inside the zone (zlogin z1 beadm ...):
# every attack is refused with a "beadm: " message, and every property of
# every dataset of the pool (less space accounting), the mounts and the
# zone's root are the same before and after.
#
# The world: z1 installed (ZBE1, GBE1's), then the host's `beadm create
# GBE2` (ZBE2, GBE2's: foreign to the zone), z1 booted on ZBE1, and the
# zone's own inactive ZBE "mine".

load ../integration/helpers

setup() {
	zone_setup
	zone_install z1
	beadm create GBE2 || fail "beadm create GBE2 failed"
	GBE2_UUID=$(prop "$(ds GBE2)" $UUID_PROP)
	zone_boot z1
	zlogin z1 beadm create mine >/dev/null || fail "in-zone beadm create mine failed"
	assert_eq "$(prop "$(zds z1 ZBE2)" $PARENTBE_PROP)" "$GBE2_UUID" "ZBE2 parentbe" || return 1
	assert_eq "$(prop "$(zds z1 mine)" $PARENTBE_PROP)" "$GBE1_UUID" "mine parentbe" || return 1
}

teardown() {
	zone_teardown
}

# Everything an attack must leave alone.
world() {
	allprops
	pool_mounts
	echo "root: $(zone_root_ds z1)"
	echo "host /: $(ls -A / | xargs)"
	echo "TMP: $(ls -A "$TMP" | grep -v '^zoneadm.err' | xargs)"
	echo "zonepath: $(ls -A "$TMP/zones/z1" | xargs)"
}

# refused ARGS...: `beadm ARGS` in the zone fails with a beadm: message.
refused() {
	run --separate-stderr zlogin z1 beadm "$@"
	if [ "$status" -eq 0 ]; then
		fail "in-zone beadm $(printf '[%s] ' "$@")was accepted; stdout: $output; stderr: $stderr"
		return 1
	fi
	if ! [[ $stderr == beadm:\ * || $stderr == *$'\n'beadm:\ * ]]; then
		fail "in-zone beadm $(printf '[%s] ' "$@")failed ($status) without a beadm: message: [$stderr]"
		return 1
	fi
}

swap_during_mount() { # zone-path-to-swap symlink-target mount-args...
	local swap=$1 target=$2
	shift 2
	# fd 8 holds the lock; nothing started meanwhile may inherit it
	exec 8>"$TMP/run/zbe.lock"
	flock 8
	zlogin z1 beadm mount "$@" >"$TMP/mount.out" 2>&1 8>&- &
	local pid=$!
	sleep 2
	zlogin z1 sh -c "rm -rf $swap && ln -s $target $swap" 8>&-
	exec 8>&-
	wait "$pid"
	echo "in-zone beadm mount $*: status $?: $(cat "$TMP/mount.out")"
}

@test "mount: a path swapped for a symlink after the check does not mount outside the zone" {
	mkdir "$TMP/victim"
	zlogin z1 mkdir /a
	swap_during_mount /a "$TMP/victim" mine /a
	local at
	at=$(mounted_at "$(zds z1 mine)")
	[ -z "$at" ] || [[ $at == "$TMP/zones/z1/root/"* ]] ||
	    fail "mine was mounted outside the zone, at $at"
	assert_eq "$(ls -A "$TMP/victim")" "" "host directory contents"
}

@test "mount without a mountpoint: the zone's /tmp swapped for a symlink after the check" {
	mkdir "$TMP/victim"
	swap_during_mount /tmp "$TMP/victim" mine
	local at
	at=$(mounted_at "$(zds z1 mine)")
	[ -z "$at" ] || [[ $at == "$TMP/zones/z1/root/"* ]] ||
	    fail "mine was mounted outside the zone, at $at"
	assert_eq "$(ls -A "$TMP/victim")" "" "host directory contents"
}

