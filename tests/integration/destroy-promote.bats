#!/usr/bin/env bats
# Destroy-and-promote in the shapes that make it hard: a BE whose snapshots
# back clones in two other BEs, a chain of clones, a zone BE whose clone
# belongs to another host BE, and a destroy that cannot complete.  The
# same tests run on both drivers; on OpenZFS each destroy must also be one
# channel program (zfs program running lib/zfs/destroy.zcp) and no zfs
# promote or destroy command of its own, so all of it lands in one
# transaction group.

load helpers

# The tests that need a zone say "ZBE" in their name.
setup() {
	if [[ $BATS_TEST_DESCRIPTION == *ZBE* ]]; then zone_setup; else zbt_setup; fi
}

teardown() {
	if [[ $BATS_TEST_DESCRIPTION == *ZBE* ]]; then zone_teardown; else zbt_teardown; fi
}

# zfs is the counting wrapper, so a test can read what beadm ran.
counting() {
	mkdir -p "$TMP/cbin"
	ln -sf "$ZBT_SRC/tests/integration/zfs-count-wrapper" "$TMP/cbin/zfs"
	ln -sf "$ZBT_SRC/tests/integration/zfs-count-wrapper" "$TMP/cbin/zpool"
	write_conf "zfs = $TMP/cbin/zfs" "zpool = $TMP/cbin/zpool" "$@"
	ZBE_REAL_ZFS=$(command -v zfs) ZBE_REAL_ZPOOL=$(command -v zpool) ZBE_COUNT_LOG=$TMP/calls
	export ZBE_REAL_ZFS ZBE_REAL_ZPOOL ZBE_COUNT_LOG
	: >"$ZBE_COUNT_LOG"
}

ncalls() { # subcommand: zfs calls of it in the log
	grep -c "^zfs"$'\t'"$1 " "$ZBE_COUNT_LOG"
}

# On OpenZFS a destroy is one channel program and nothing else that changes
# ZFS; on zfs-fuse it is a sequence of zfs promote and destroy commands.
assert_one_program() {
	if on_openzfs; then
		assert_eq "$(ncalls program)" 1 "zfs program calls"
		assert_eq "$(( $(ncalls promote) + $(ncalls destroy) ))" 0 "zfs promote and destroy calls"
	else
		assert_eq "$(ncalls program)" 0 "zfs program calls (zfs-fuse has none)"
	fi
}

@test "a BE whose snapshots back clones in two other BEs: both are promoted, their data stays" {
	beadm create X
	be_write X data x-data
	beadm create X@s1
	be_write X data x-later
	beadm create -e X@s1 Y
	beadm create -e X Z
	counting
	run --separate-stderr beadm destroy -Fs X
	assert_status 0
	assert_one_program
	exists "$(ds X)" && fail "X is still there"
	assert_eq "$(names | grep -E "/ROOT/X([/@]|$)")" "" "leftovers of X"
	assert_eq "$(be_read Y data)" x-data "Y's data"
	assert_eq "$(be_read Z data)" x-later "Z's data"
	# each survivor is whole: its origin (if any) exists, it mounts
	local b o
	for b in Y Z; do
		o=$(prop "$(ds $b)" origin)
		[ "$o" = - ] || exists "$o" || fail "origin $o of $b is missing"
	done
	run beadm destroy -F Y
	assert_status 0
	assert_eq "$(be_read Z data)" x-later "Z's data after Y went too"
}

@test "a chain: destroying the middle BE of A <- B <- C promotes C past it" {
	beadm create A
	be_write A f a
	beadm create -e A B
	be_write B f b
	beadm create -e B C
	be_write C f c
	counting
	run --separate-stderr beadm destroy -F B
	assert_status 0
	assert_one_program
	exists "$(ds B)" && fail "B is still there"
	assert_eq "$(be_read A f)" a "A's data"
	assert_eq "$(be_read C f)" c "C's data"
	assert_eq "$(names | grep -E "/ROOT/B([/@]|$)")" "" "leftovers of B"
	# and then the head of the chain
	: >"$ZBE_COUNT_LOG"
	run --separate-stderr beadm destroy -F A
	assert_status 0
	assert_one_program
	assert_eq "$(be_read C f)" c "C's data after A went too"
}

@test "a host BE's destroy promotes a ZBE of another host BE that was cloned from one of its ZBEs" {
	zone_install z1
	beadm create GBE2
	beadm create GBE3
	local zbe2 zbe3
	zbe2=$(zfs list -H -o name,"$PARENTBE_PROP" -r "$(zds z1)/rpool" |
	    awk -v u="$(prop "$(ds GBE2)" $UUID_PROP)" '$2 == u { print $1 }')
	zbe3=$(zfs list -H -o name,"$PARENTBE_PROP" -r "$(zds z1)/rpool" |
	    awk -v u="$(prop "$(ds GBE3)" $UUID_PROP)" '$2 == u { print $1 }')
	[ -n "$zbe2" ] && [ -n "$zbe3" ] || fail "no ZBEs for GBE2 ($zbe2) and GBE3 ($zbe3)"
	# GBE3's ZBE becomes a clone of GBE2's: rebuilt from a snapshot of it
	zfs snapshot "$zbe2@base"
	zfs destroy "$zbe3"
	zfs clone -o mountpoint=legacy -o canmount=noauto -o "$PARENTBE_PROP=$(prop "$(ds GBE3)" $UUID_PROP)" \
	    -o "$ACTIVE_PROP=on" "$zbe2@base" "$zbe3"
	counting
	run --separate-stderr beadm destroy -F GBE2
	assert_status 0
	assert_one_program
	exists "$zbe2" && fail "GBE2's ZBE $zbe2 is still there"
	exists "$zbe3" || fail "GBE3's ZBE $zbe3 went with GBE2's"
	# promoted: its origin is now what GBE2's ZBE was cloned from, not GBE2's ZBE
	local o
	o=$(prop "$zbe3" origin)
	[[ $o != "$zbe2@"* ]] || fail "GBE3's ZBE is still a clone of $o"
	[ "$o" = - ] || exists "$o" || fail "origin $o of GBE3's ZBE is missing"
	assert_eq "$(prop "$zbe3" $ACTIVE_PROP)" on "GBE3's ZBE is still active"
}

@test "a destroy that cannot complete (a held snapshot) changes nothing and names what stopped it" {
	beadm create X
	beadm create X@s1
	beadm create -e X@s1 Y
	beadm create X@s2
	zfs hold keep "$(ds X)@s2"
	local before
	before=$(state)
	counting
	run --separate-stderr beadm destroy -Fs X
	assert_status 1
	assert_match "$stderr" '^beadm: ' "message"
	exists "$(ds X)" || fail "X was destroyed"
	exists "$(ds Y)" || fail "Y was destroyed"
	if on_openzfs; then
		# one transaction group: the promotion of Y was undone with the rest
		assert_contains "$stderr" "@s2" "the snapshot named"
		assert_contains "$stderr" "nothing was changed" "message"
		assert_same "$before" "$(state)" "the pool"
	fi
	zfs release keep "$(ds X)@s2"
	run --separate-stderr beadm destroy -Fs X
	assert_status 0
	exists "$(ds X)" && fail "X is still there after the hold was released"
	exists "$(ds Y)" || fail "Y went with X"
}
