#!/usr/bin/env bats
# beadm activate: bootfs, and promotion until the BE has no origin.

load helpers

@test "activate sets bootfs and list shows R" {
	beadm create A
	run --separate-stderr beadm activate A
	assert_status 0
	assert_eq "$(bootfs)" "$(ds A)" bootfs
	run beadm list -H
	assert_status 0
	assert_contains "$output" "A;$(prop "$(ds A)" $UUID_PROP);R;;"
	assert_contains "$output" "GBE1;$(prop "$GBE1" $UUID_PROP);N;$TMP/root;"
}

@test "activate of the bootfs BE again changes nothing" {
	beadm create A
	beadm activate A
	local before
	before=$(state)
	run beadm activate A
	assert_status 0
	assert_same "$before" "$(state)"
}

@test "activate the running BE back" {
	beadm create A
	beadm activate A
	run beadm activate GBE1
	assert_status 0
	assert_eq "$(bootfs)" "$GBE1" bootfs
	assert_eq "$(prop "$GBE1" origin)" - "origin of GBE1"
	assert_eq "$(prop "$GBE1/var" origin)" - "origin of GBE1/var"
	# and A is a plain non-running BE again: it can go
	run beadm destroy -F A
	assert_status 0
	exists "$(ds A)" && fail "A still there"
	assert_eq "$(mounted_at "$GBE1")" "$TMP/root" "running BE mount"
}

@test "activate promotes a chain A -> B -> C fully; A and B can then be destroyed" {
	beadm create A
	be_write A var/a "from A"
	beadm create -e A B
	be_write B var/b "from B"
	beadm create -e B C
	be_write C var/c "from C"
	local c_uuid
	c_uuid=$(prop "$(ds C)" $UUID_PROP)
	# before: C is a clone of B, which is a clone of A
	assert_match "$(prop "$(ds C)" origin)" "^$(ds B)@" "origin of C before"

	run --separate-stderr beadm activate C
	assert_status 0
	assert_eq "$(bootfs)" "$(ds C)" bootfs
	assert_eq "$(prop "$(ds C)" origin)" - "origin of C"
	assert_eq "$(prop "$(ds C)/var" origin)" - "origin of C/var"
	assert_eq "$(prop "$(ds C)" $UUID_PROP)" "$c_uuid" "uuid of C"

	run --separate-stderr beadm destroy -F A
	assert_status 0
	run --separate-stderr beadm destroy -F B
	assert_status 0
	exists "$(ds A)" && fail "A still there"
	exists "$(ds B)" && fail "B still there"
	# nothing named after A or B is left, and the snapshots beadm made for
	# them (now on C) went with them
	assert_eq "$(names | grep -E "/ROOT/(A|B)([/@]|$)")" "" "leftovers of A and B"
	run beadm list -H
	assert_status 0
	assert_eq "$(cut -d';' -f1,3 <<<"$output" | sort | tr '\n' ' ')" "C;R GBE1;N " "BEs"
	# C still has everything it had
	assert_eq "$(be_read C var/a)" "from A" "C var/a"
	assert_eq "$(be_read C var/b)" "from B" "C var/b"
	assert_eq "$(be_read C var/c)" "from C" "C var/c"
	# and the running BE is untouched
	assert_eq "$(mounted_at "$GBE1")" "$TMP/root" "running BE mount"
	assert_eq "$(cat "$TMP/root/etc-release")" host "running BE data"
}

# The same with snapshots of distinct names (no auto snapshots in the chain).
@test "activate promotes a chain made from user snapshots; A and B can then be destroyed" {
	beadm create A
	be_write A var/a "from A"
	beadm create A@sa
	beadm create -e A@sa B
	be_write B var/b "from B"
	beadm create B@sb
	beadm create -e B@sb C
	assert_eq "$(prop "$(ds C)" origin)" "$(ds B)@sb" "origin of C before"

	run --separate-stderr beadm activate C
	assert_status 0
	assert_eq "$(bootfs)" "$(ds C)" bootfs
	assert_eq "$(prop "$(ds C)" origin)" - "origin of C"
	assert_eq "$(prop "$(ds C)/var" origin)" - "origin of C/var"
	# the user snapshots moved to C with the promotion
	exists "$(ds C)@sa" || fail "no C@sa"
	exists "$(ds C)@sb" || fail "no C@sb"

	run --separate-stderr beadm destroy -F A
	assert_status 0
	run --separate-stderr beadm destroy -F B
	assert_status 0
	assert_eq "$(names | grep -E "/ROOT/(A|B)([/@]|$)")" "" "leftovers of A and B"
	assert_eq "$(be_read C var/a)" "from A" "C var/a"
	assert_eq "$(be_read C var/b)" "from B" "C var/b"
	assert_eq "$(mounted_at "$GBE1")" "$TMP/root" "running BE mount"
}

@test "activate refuses a missing BE" {
	local before
	before=$(state)
	run --separate-stderr beadm activate NOPE
	assert_status 1
	assert_match "$stderr" '^beadm: .*NOPE' stderr
	assert_same "$before" "$(state)"
}

# be_boot BE CMD...: run CMD in the BE's /boot (mounted with zfs itself)
be_boot() {
	local be=$1
	shift
	raw_mount "$be" "$TMP/w"
	(cd "$TMP/w/boot" && "$@")
	raw_unmount "$be"
}

@test "activate and activate -t refuse a BE without a kernel and its initramfs; nothing changes" {
	beadm create B
	be_boot B rm -f initrd.img-6.1.0-zbt
	local before
	before=$(state)
	for args in "activate B" "activate -t B"; do
		# shellcheck disable=SC2086
		run --separate-stderr beadm $args
		assert_status 1
		assert_eq "$stderr" "beadm: B: cannot activate: no kernel /boot/vmlinuz-* with its initramfs /boot/initrd.img-* in it" "$args"
		assert_same "$before" "$(state)" "pool after $args"
	done
	# a kernel alone, or an initramfs of another version, is not enough
	be_boot B sh -c 'echo i >initrd.img-6.1.0-other'
	run --separate-stderr beadm activate B
	assert_status 1
	# a symlink is not followed out of the BE
	be_boot B ln -s /etc/hostname initrd.img-6.1.0-zbt
	run --separate-stderr beadm activate B
	assert_status 1
	assert_eq "$(bootfs)" "$GBE1" bootfs
	# dracut's name counts
	be_boot B sh -c 'rm initrd.img-6.1.0-zbt; echo i >initramfs-6.1.0-zbt.img'
	run --separate-stderr beadm activate B
	assert_status 0
	assert_eq "$(bootfs)" "$(ds B)" bootfs
	assert_eq "$(prop "$(ds B)" mountpoint)" "$(root_mp)" "B's mountpoint after the look"
	assert_eq "$(mounted_at "$(ds B)")" "" "B mounted after the look"
}

@test "activate looks in a mounted BE where it is mounted, and refuses a BE without /boot" {
	beadm create B
	beadm mount B "$TMP/m"
	rm -r "$TMP/m/boot"
	run --separate-stderr beadm activate B
	assert_status 1
	assert_contains "$stderr" "beadm: B: cannot activate: no kernel /boot/vmlinuz-*"
	assert_eq "$(mounted_at "$(ds B)")" "$TMP/m" "B still mounted where it was"
	mkdir "$TMP/m/boot"
	touch "$TMP/m/boot/vmlinuz-6.1.0-zbt" "$TMP/m/boot/initrd.img-6.1.0-zbt"
	run --separate-stderr beadm activate B
	assert_status 0
	assert_eq "$(mounted_at "$(ds B)")" "$TMP/m" "B still mounted where it was"
	beadm unmount B
}

@test "activate: /boot a file system of its own, shared by the BEs: not checked" {
	beadm create B
	be_boot B rm -f vmlinuz-6.1.0-zbt initrd.img-6.1.0-zbt
	mount -t tmpfs tmpfs "$TMP/root/boot"
	run --separate-stderr beadm activate B
	local rc=$status
	umount "$TMP/root/boot"
	[ "$rc" -eq 0 ] || fail "activate with a separate /boot: exit $rc: $stderr"
	assert_eq "$(bootfs)" "$(ds B)" bootfs
}
