#!/usr/bin/env bats
# beadm activate -t: the next boot only.  bootfs names the one-time BE and
# org.zbe:nextboot-revert on the BE container the BE to return to; the
# initramfs script zbe ships (dist/initramfs-tools/scripts/local-bottom/zbe)
# consumes it during that boot.  The script runs here as initramfs-tools
# runs a local-bottom script: rootmnt is where the booting BE is mounted.

load helpers

BOOT_SCRIPT=$ZBT_SRC/dist/initramfs-tools/scripts/local-bottom/zbe

revert() {
	zfs get -H -o value -s local "$REVERT_PROP" "$POOL/ROOT"
}

flags_of() {
	beadm list -H | awk -F';' -v b="$1" '$1 == b { print $3 }'
}

# boot BE [shell]: the boot script as the initramfs of BE runs it
boot() {
	local be=$1 sh=${2:-sh} mnt
	if [ "$be" = GBE1 ]; then
		mnt=$TMP/root
	else
		mnt=$TMP/boot-$be
		mkdir -p "$mnt"
		beadm mount "$be" "$mnt" >/dev/null || fail "mount $be failed"
	fi
	run --separate-stderr env rootmnt="$mnt" ROOT="ZFS=$(ds "$be")" $sh "$BOOT_SCRIPT"
	[ "$be" = GBE1 ] || beadm unmount "$be" || fail "unmount $be failed"
}

@test "activate -t: bootfs names the BE, the container the BE to return to; list shows T and R" {
	beadm create B
	run --separate-stderr beadm activate -t B
	assert_status 0
	assert_eq "$(bootfs)" "$(ds B)" bootfs
	assert_eq "$(revert)" GBE1 marker
	assert_eq "$(flags_of B)" T "B's flags"
	assert_eq "$(flags_of GBE1)" NR "GBE1's flags"
	assert_eq "$(beadm list -j | jq -c '[.B.active_on_reboot, .B.active_next_boot_only, .GBE1.active_on_reboot, .GBE1.active_next_boot_only]')" \
	    '[false,true,true,false]' "list -j: active_on_reboot and active_next_boot_only of B and GBE1"
	# no promotion: the permanent BE stays what B is cloned from
	assert_match "$(prop "$(ds B)" origin)" "^$GBE1@"
}

@test "the boot script points bootfs back and clears the marker; a second boot does nothing" {
	beadm create B
	beadm activate -t B
	boot B
	assert_status 0
	assert_contains "$stderr" "one-time boot of $(ds B); the next boot comes up in $GBE1"
	assert_eq "$(bootfs)" "$GBE1" "bootfs after the one-time boot"
	assert_eq "$(revert)" "" "marker after the one-time boot"
	assert_eq "$(flags_of GBE1)" NR
	assert_eq "$(flags_of B)" -
	local before
	before=$(state)
	boot GBE1
	assert_status 0
	assert_eq "$stderr" "" "second boot's messages"
	assert_same "$before" "$(state)" "pool after a boot without a marker"
}

@test "the boot script under busybox sh, and on a root that is no BE" {
	command -v busybox >/dev/null || skip "no busybox"
	beadm create B
	beadm activate -t B
	local before
	before=$(state)
	# root mounted from elsewhere: not a BE, nothing to do
	run --separate-stderr env rootmnt=/ busybox sh "$BOOT_SCRIPT"
	assert_status 0
	assert_same "$before" "$(state)" "pool after a boot of no BE"
	boot B "busybox sh"
	assert_status 0
	assert_eq "$(bootfs)" "$GBE1" bootfs
	assert_eq "$(revert)" "" marker
}

@test "the boot script: a marker naming a missing BE or no BE name is cleared, bootfs left" {
	beadm create B
	beadm activate -t B
	zfs set "$REVERT_PROP=GONE" "$POOL/ROOT"
	boot B
	assert_status 0
	assert_contains "$stderr" "$(ds GONE), the boot environment to return to, does not exist"
	assert_eq "$(bootfs)" "$(ds B)" bootfs
	assert_eq "$(revert)" "" marker
	zfs set "$REVERT_PROP=../x;y" "$POOL/ROOT"
	boot B
	assert_status 0
	assert_contains "$stderr" "is not a boot environment name"
	assert_eq "$(bootfs)" "$(ds B)" bootfs
	assert_eq "$(revert)" "" marker
}

@test "activate confirms the one-time BE; activate of the permanent one cancels it" {
	beadm create B
	beadm activate -t B
	run --separate-stderr beadm activate B
	assert_status 0
	assert_eq "$(bootfs)" "$(ds B)" bootfs
	assert_eq "$(revert)" "" marker
	assert_eq "$(flags_of B)" R
	beadm activate GBE1
	beadm activate -t B
	run --separate-stderr beadm activate GBE1
	assert_status 0
	assert_eq "$(bootfs)" "$GBE1" bootfs
	assert_eq "$(revert)" "" marker
	# -t of the permanent BE: the same
	beadm activate -t B
	run --separate-stderr beadm activate -t GBE1
	assert_status 0
	assert_eq "$(bootfs)" "$GBE1" bootfs
	assert_eq "$(revert)" "" marker
}

@test "activate -t of another BE while one is pending keeps the BE to return to" {
	beadm create B
	beadm create C
	beadm activate -t B
	beadm activate -t C
	assert_eq "$(bootfs)" "$(ds C)" bootfs
	assert_eq "$(revert)" GBE1 marker
	assert_eq "$(flags_of B)" -
	assert_eq "$(flags_of C)" T
	# a plain activate of a third: it becomes the BE to return to, and the marker goes
	run --separate-stderr beadm activate B
	assert_status 0
	assert_eq "$(bootfs)" "$(ds B)" bootfs
	assert_eq "$(revert)" "" marker
}

@test "destroy refuses the one-time BE and the BE it returns to; nothing changes" {
	beadm create B
	beadm create P
	beadm activate P
	beadm activate -t B
	local before
	before=$(state)
	run --separate-stderr beadm destroy -F B
	assert_status 1
	assert_eq "$stderr" "beadm: B: is activated for the next boot (beadm activate -t); activate another boot environment first"
	run --separate-stderr beadm destroy -F P
	assert_status 1
	assert_eq "$stderr" "beadm: P: is the boot environment the host returns to after its one-time boot (beadm activate -t); activate another boot environment first"
	assert_same "$before" "$(state)"
}

@test "rename: the marker follows the BE it names, bootfs follows the one-time BE" {
	beadm create B
	beadm create P
	# P permanent without a promotion: zfs-fuse would remount the running
	# GBE1 as P's clone in a rename of P
	zpool set bootfs="$(ds P)" "$POOL"
	beadm activate -t B
	run --separate-stderr beadm rename P P2
	assert_status 0
	assert_eq "$(revert)" P2 marker
	assert_eq "$(bootfs)" "$(ds B)" bootfs
	run --separate-stderr beadm rename B B2
	assert_status 0
	assert_eq "$(revert)" P2 marker
	assert_eq "$(bootfs)" "$(ds B2)" bootfs
	assert_eq "$(flags_of B2)" T
	assert_eq "$(flags_of P2)" R
	boot B2
	assert_eq "$(bootfs)" "$(ds P2)" "bootfs after the boot"
}

@test "check reports a marker naming a missing BE; check -r clears it" {
	beadm create B
	beadm activate -t B
	zfs set "$REVERT_PROP=GONE" "$POOL/ROOT"
	run --separate-stderr beadm check
	assert_status 1
	assert_contains "$output" "a one-time activation returns to GONE, which does not exist"
	run --separate-stderr beadm check -r
	assert_status 0
	assert_contains "$output" "repaired: clear it"
	assert_eq "$(revert)" "" marker
	assert_eq "$(bootfs)" "$(ds B)" bootfs
	run --separate-stderr beadm check
	assert_status 0
}

@test "activate -t: bad usage, a missing BE, no bootfs to return to: exit 2 or 1, nothing changed" {
	beadm create B
	local before
	before=$(state)
	run --separate-stderr beadm activate -t
	assert_status 2
	assert_contains "$stderr" "beadm: missing beName"
	assert_contains "$stderr" "beadm activate [-t] beName"
	run --separate-stderr beadm activate -x B
	assert_status 2
	run --separate-stderr beadm activate -t B C
	assert_status 2
	run --separate-stderr beadm activate -t NOPE
	assert_status 1
	assert_eq "$stderr" "beadm: NOPE: no such boot environment"
	run --separate-stderr beadm activate -t 'b;x'
	assert_status 1
	assert_same "$before" "$(state)"
	zpool set bootfs= "$POOL"
	before=$(state)
	run --separate-stderr beadm activate -t B
	assert_status 1
	assert_contains "$stderr" "beadm: B: cannot activate for one boot: no boot environment to return to"
	assert_same "$before" "$(state)"
}
