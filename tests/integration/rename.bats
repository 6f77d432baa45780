#!/usr/bin/env bats
# beadm rename

load helpers

@test "rename moves the BE and its children, keeps uuid and data" {
	beadm create A
	be_write A var/f data
	local uuid
	uuid=$(prop "$(ds A)" $UUID_PROP)
	run --separate-stderr beadm rename A B
	assert_status 0
	exists "$(ds A)" && fail "A still there"
	exists "$(ds B)" || fail "no B"
	exists "$(ds B)/var" || fail "no B/var"
	assert_eq "$(prop "$(ds B)" $UUID_PROP)" "$uuid" "uuid of B"
	assert_eq "$(prop "$(ds B)" mountpoint)" "$(root_mp)" "mountpoint of B"
	assert_eq "$(be_read B var/f)" data "data of B"
	assert_eq "$(bootfs)" "$GBE1" bootfs
	run beadm list -H
	assert_eq "$(cut -d';' -f1 <<<"$output" | sort | tr '\n' ' ')" "B GBE1 " BEs
}

# A BE that is nobody's origin: made with zfs, activated without promotions.
@test "rename of the bootfs BE moves bootfs along (BE without dependent clones)" {
	zfs create -o mountpoint=legacy -o canmount=noauto -o "$UUID_PROP=$(uuidgen)" "$(ds A)"
	zfs create "$(ds A)/var"
	raw_mount A "$TMP/w"
	mkdir "$TMP/w/boot"
	touch "$TMP/w/boot/vmlinuz-6.1.0-zbt" "$TMP/w/boot/initrd.img-6.1.0-zbt"
	raw_unmount A
	beadm activate A
	assert_eq "$(bootfs)" "$(ds A)" "bootfs before"
	run --separate-stderr beadm rename A B
	assert_status 0
	assert_eq "$(bootfs)" "$(ds B)" bootfs
	run beadm list -H B
	assert_status 0
	assert_eq "$(cut -d';' -f1,3 <<<"$output")" "B;R" "list -H B"
}

# After activate, the running BE is a clone of the BE's snapshots. zfs-fuse's
# rename remounts every such clone, and the running root is busy: beadm
# refuses before changing anything, naming the reason.  OpenZFS remounts
# only the renamed datasets: the rename is done, bootfs follows it.
@test "rename of the bootfs BE whose clone is the running BE: refused on zfs-fuse, done on OpenZFS" {
	beadm create A
	beadm activate A
	local before
	before=$(state)
	run --separate-stderr beadm rename A B
	if on_openzfs; then
		assert_status 0
		assert_eq "$(bootfs)" "$(ds B)" "bootfs after the rename"
		assert_eq "$(mounted_at "$GBE1")" "$TMP/root" "the running BE after the rename"
		return
	fi
	assert_status 1
	assert_match "$stderr" '^beadm: A: cannot rename: .*GBE1.* mounted' stderr
	assert_same "$before" "$(state)"
}

@test "rename refusals: running BE, mounted BE, existing name, missing BE" {
	beadm create A
	beadm create B
	local before
	before=$(state)
	run --separate-stderr beadm rename GBE1 X
	assert_status 1
	assert_match "$stderr" '^beadm: .*GBE1' stderr
	run --separate-stderr beadm rename A B
	assert_status 1
	assert_match "$stderr" '^beadm: .*B' stderr
	run --separate-stderr beadm rename NOPE X
	assert_status 1
	assert_match "$stderr" '^beadm: .*NOPE' stderr
	assert_same "$before" "$(state)"
	beadm mount A "$TMP/m"
	before=$(state)
	run --separate-stderr beadm rename A X
	assert_status 1
	assert_match "$stderr" '^beadm: .*mounted' stderr
	assert_same "$before" "$(state)"
}

@test "a renamed BE's clones and snapshots keep working" {
	beadm create A
	beadm create A@s
	beadm create -e A@s C
	run beadm rename A B
	assert_status 0
	assert_eq "$(prop "$(ds C)" origin)" "$(ds B)@s" "origin of C"
	run beadm destroy -F B@s
	assert_status 1
	run beadm activate C
	assert_status 0
	run beadm destroy -F B
	assert_status 0
	exists "$(ds B)" && fail "B still there"
	true
}
