#!/usr/bin/env bats
# dist/grub.d/42_zbe, the GRUB generator: run as grub-mkconfig runs it,
# against the test world; its output is checked (GRUB itself does not run).

load helpers

GEN=$ZBT_SRC/dist/grub.d/42_zbe

generate() {
	run --separate-stderr env ZBE_BEADM="$BEADM" GRUB_CMDLINE_LINUX="quiet" sh "$GEN"
}

@test "one entry per kernel of each host BE, the bootfs BE first, with its own kernel, initramfs and root=" {
	beadm create B
	beadm activate B
	beadm create C
	raw_mount C "$TMP/w"
	rm "$TMP/w/boot/initrd.img-6.1.0-zbt"
	echo i >"$TMP/w/boot/initramfs-6.2.0-x.img"
	echo k >"$TMP/w/boot/vmlinuz-6.2.0-x"
	raw_unmount C
	local before
	before=$(state)
	generate
	assert_status 0
	assert_eq "$stderr" "" stderr
	assert_eq "$(grep -c '^menuentry' <<<"$output")" 3 "entries"
	assert_match "$(grep -m1 '^menuentry' <<<"$output")" "^menuentry 'Boot environment B, Linux 6.1.0-zbt'" "first entry"
	assert_contains "$output" "	search --no-floppy --label --set=root $POOL"
	assert_contains "$output" "	linux /ROOT/B@/boot/vmlinuz-6.1.0-zbt root=ZFS=$POOL/ROOT/B ro quiet"
	assert_contains "$output" "	initrd /ROOT/B@/boot/initrd.img-6.1.0-zbt"
	assert_contains "$output" "	linux /ROOT/GBE1@/boot/vmlinuz-6.1.0-zbt root=ZFS=$GBE1 ro quiet"
	# C: its dracut-named initramfs; its kernel without one has no entry
	assert_contains "$output" "	linux /ROOT/C@/boot/vmlinuz-6.2.0-x root=ZFS=$POOL/ROOT/C ro quiet"
	assert_contains "$output" "	initrd /ROOT/C@/boot/initramfs-6.2.0-x.img"
	assert_not_contains "$output" "C, Linux 6.1.0-zbt"
	# the BEs it mounted to look are unmounted again
	assert_same "$before" "$(state)" "pool after the generator"
}

@test "a root that is no boot environment: no entries, no message" {
	write_conf "system_root = /"
	generate
	assert_status 0
	assert_eq "$output" "" output
}
