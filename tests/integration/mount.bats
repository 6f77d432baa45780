#!/usr/bin/env bats
# beadm mount / unmount of a BE with a child dataset.

load helpers

@test "mount without a mountpoint prints a new temporary one; child mounted below" {
	beadm create A
	be_write A var/f "in var"
	run --separate-stderr beadm mount A
	assert_status 0
	local mp=$output
	assert_match "$mp" '^/[^[:space:]]+$' "printed mountpoint"
	assert_eq "$(wc -l <<<"$output")" 1 "lines printed"
	[ -d "$mp" ] || fail "$mp is not a directory"
	assert_eq "$(mounted_at "$(ds A)")" "$mp" "mount of A"
	assert_eq "$(mounted_at "$(ds A)/var")" "$mp/var" "mount of A/var"
	assert_eq "$(cat "$mp/var/f")" "in var" "child data"
	run beadm list -H A
	assert_status 0
	assert_eq "$(cut -d';' -f1,4 <<<"$output")" "A;$mp" "list -H A"

	run --separate-stderr beadm unmount A
	assert_status 0
	assert_eq "$(pool_mounts | grep -c /ROOT/A)" 0 "mounts of A"
	[ -e "$mp" ] && fail "temporary mountpoint $mp left behind"
	assert_eq "$(prop "$(ds A)" mountpoint)" "$(root_mp)" "mountpoint after unmount"
	assert_eq "$(prop "$(ds A)" canmount)" noauto "canmount after unmount"
	run beadm list -H A
	assert_eq "$(cut -d';' -f4 <<<"$output")" "" "list mountpoint after unmount"
}

@test "mount at an explicit mountpoint, unmount by path" {
	beadm create A
	run --separate-stderr beadm mount A "$TMP/mnt"
	assert_status 0
	assert_eq "$output" "" stdout
	assert_eq "$(mounted_at "$(ds A)")" "$TMP/mnt" "mount of A"
	assert_eq "$(mounted_at "$(ds A)/var")" "$TMP/mnt/var" "mount of A/var"
	assert_eq "$(cat "$TMP/mnt/etc-release")" host "A's data"
	echo new >"$TMP/mnt/var/new"

	run --separate-stderr beadm unmount "$TMP/mnt"
	assert_status 0
	assert_eq "$(pool_mounts | grep -c /ROOT/A)" 0 "mounts of A"
	# a directory the user named stays
	[ -d "$TMP/mnt" ] || fail "$TMP/mnt removed"
	assert_eq "$(prop "$(ds A)" mountpoint)" "$(root_mp)" "mountpoint after unmount"
	assert_eq "$(be_read A var/new)" new "data written while mounted"
}

@test "mount at an existing empty directory; umount alias" {
	beadm create A
	mkdir "$TMP/d"
	run beadm mount A "$TMP/d"
	assert_status 0
	assert_eq "$(mounted_at "$(ds A)/var")" "$TMP/d/var" "mount of A/var"
	run beadm umount A
	assert_status 0
	assert_eq "$(pool_mounts | grep -c /ROOT/A)" 0 "mounts of A"
}

@test "mount refusals: already mounted, missing BE, relative path, a file" {
	beadm create A
	beadm mount A "$TMP/m1"
	local before
	before=$(state)
	run --separate-stderr beadm mount A "$TMP/m2"
	assert_status 1
	assert_match "$stderr" '^beadm: .*mounted' stderr
	run --separate-stderr beadm mount NOPE "$TMP/m3"
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	beadm create B
	before=$(state)
	run --separate-stderr beadm mount B relative/dir
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	touch "$TMP/afile"
	run --separate-stderr beadm mount B "$TMP/afile"
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	assert_same "$before" "$(state)"
	[ -e relative/dir ] && fail "relative directory created"
	true
}

@test "unmount refusals: not mounted, running BE, a path with no BE" {
	beadm create A
	local before
	before=$(state)
	run --separate-stderr beadm unmount A
	assert_status 1
	assert_match "$stderr" '^beadm: .*A.*not mounted' stderr
	run --separate-stderr beadm unmount GBE1
	assert_status 1
	assert_match "$stderr" '^beadm: .*GBE1' stderr
	run --separate-stderr beadm unmount "$TMP/root"
	assert_status 1
	run --separate-stderr beadm unmount "$TMP"
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	assert_same "$before" "$(state)"
}

@test "a mounted BE can be unmounted with -f" {
	beadm create A
	beadm mount A "$TMP/m"
	run beadm unmount -f A
	assert_status 0
	assert_eq "$(pool_mounts | grep -c /ROOT/A)" 0 "mounts of A"
}
