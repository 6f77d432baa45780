#!/usr/bin/env bats
# Invocation budgets: how many zfs/zpool processes beadm and zoneadm spawn
# on a host with N = 5 installed zones.  Deterministic counts only; the
# timings are in bench/ (bench/run, bench/RESULTS.md) and stay out of CI.
#
# zfs and zpool are the counting wrapper (the `zfs` and `zpool` keys of
# zbe.conf), which logs each call as "<tool><TAB><args>" and runs the real
# command; the world is in budget-helpers.bash.  The host BE has no child
# dataset (each would add one clone to create).  Budgets:
#   beadm -z z1 list      exactly 1 zfs call (a get), no zpool call
#   beadm list -a         1 zfs get + 1 zpool list (bootfs)
#   zoneadm list -cv      1 zfs get, no zpool call
#   zoneadm boot          the ZBE selection reads with 1 zfs get
#   beadm create NEW      exactly 2N+4 calls on zfs-fuse: what the zfs-fuse
#                         driver makes, pinned so that a regression fails.
#                         The budget of N+6 is not met on zfs-fuse; that is
#                         a known bug, tests/known-bugs/create-budget.bats
#   beadm destroy -F NEW  at most 2N+6 calls in all
# The list-type budgets hold "whatever N": they are checked again after
# three more zones are installed.  And a guard: create must not issue
# "zfs destroy -d -r" over cloned snapshots, which wedges zfs-fuse 0.7.0
# (the wrapper refuses that call rather than hang the daemon).

load helpers
load budget-helpers

# The list-type budgets, at the current number of zones.
check_zone_list() {
	counted beadm -z z1 list
	assert_status 0
	assert_contains "$output" ZBE5
	assert_calls "beadm -z z1 list: zfs calls" 1 "$(calls zfs)"
	assert_calls "beadm -z z1 list: zfs get calls" 1 "$(calls zfs get)"
	assert_calls "beadm -z z1 list: zpool calls" 0 "$(calls zpool)"
}

check_list_a() {
	counted beadm list -a
	assert_status 0
	assert_contains "$output" GBE0
	assert_calls "beadm list -a: zfs calls" 1 "$(calls zfs)"
	assert_calls "beadm list -a: zfs get calls" 1 "$(calls zfs get)"
	assert_calls "beadm list -a: zpool calls" 1 "$(calls zpool)"
	assert_calls "beadm list -a: zpool list calls" 1 "$(calls zpool list)"
}

check_zoneadm_list() {
	local n=$1
	counted zoneadm list -cv
	assert_status 0
	assert_eq "$(grep -c ' installed ' <<<"$output")" "$n" "installed zones listed"
	assert_calls "zoneadm list -cv: zfs calls" 1 "$(calls zfs)"
	assert_calls "zoneadm list -cv: zfs get calls" 1 "$(calls zfs get)"
	assert_calls "zoneadm list -cv: zpool calls" 0 "$(calls zpool)"
}

@test "budget: beadm -z z1 list makes exactly 1 zfs call (a get) and no zpool call, for 5 and 8 zones" {
	check_zone_list
	make_zones $((NZ + 1)) $((NZ + 3))
	check_zone_list
}

@test "budget: beadm list -a makes 1 zfs get and 1 zpool list (bootfs), for 5 and 8 zones" {
	check_list_a
	make_zones $((NZ + 1)) $((NZ + 3))
	check_list_a
}

@test "budget: zoneadm list -cv makes 1 zfs get and no zpool call, for 5 and 8 zones" {
	check_zoneadm_list $NZ
	make_zones $((NZ + 1)) $((NZ + 3))
	check_zoneadm_list $((NZ + 3))
}

@test "budget: zoneadm boot selects the zone's BE after 1 zfs get (no active ZBE: it stops there)" {
	# selection fails before anything is mounted or started, so the calls
	# made are exactly those of the selection
	zfs set "$ACTIVE_PROP=off" "$(zds z1 ZBE1)"
	local before
	before=$(state)
	counted zoneadm -z z1 boot
	assert_status 1
	assert_contains "$stderr" "no active zone boot environment"
	assert_calls "zoneadm -z z1 boot (selection): zfs calls" 1 "$(calls zfs)"
	assert_calls "zoneadm -z z1 boot (selection): zfs get calls" 1 "$(calls zfs get)"
	assert_calls "zoneadm -z z1 boot (selection): zpool calls" 0 "$(calls zpool)"
	assert_same "$before" "$(state)"
}

@test "budget: beadm create NEW makes exactly 2N+4 zfs calls on zfs-fuse (N = 5 zones)" {
	# The zfs-fuse driver's count, for a source BE of H datasets (H = 1 here):
	#   2 zfs get     the tree (ROOT and the zones' parent in one call), and
	#                 the source BE's locally set properties (-s local all),
	#                 which its clones must carry
	#   1 + H         zfs snapshot -r of the source BE, a zfs clone per dataset
	#   2N            per zone: zfs snapshot of its active ZBE, zfs clone
	# = 2N + 3 + H = 2N + 4, no zpool call.
	# Why not the budget of N+6 (tests/known-bugs/create-budget.bats): that is
	# one zfs snapshot -r over all zones, N clones and one "zfs destroy -d -r"
	# of the snapshots nobody cloned, and on zfs-fuse 0.7.0 that recursive
	# destroy over cloned snapshots wedges the daemon for good; zfs-fuse's
	# zfs snapshot takes one dataset, and destroying the 4N snapshots left by
	# a recursive one one at a time costs more, so each zone is snapshotted
	# on its own.  (Folding the local-property read into the tree read would
	# save one call at the price of reading every property of every dataset:
	# about 4x the tree read's time on zfs-fuse, measured.)
	[ "$(zbe_driver)" = zfs-fuse ] ||
	    skip "the count is the zfs-fuse driver's; OpenZFS has the N+6 budget (tests/known-bugs/create-budget.bats)"
	counted beadm create NEW
	assert_status 0
	exists "$POOL/ROOT/NEW" || fail "no $POOL/ROOT/NEW"
	assert_calls "beadm create NEW: zfs get calls (the reads)" 2 "$(calls zfs get)"
	assert_calls "beadm create NEW: zfs snapshot calls" $((NZ + 1)) "$(calls zfs snapshot)"
	assert_calls "beadm create NEW: zfs clone calls" $((NZ + 1)) "$(calls zfs clone)"
	assert_calls "beadm create NEW: zfs calls that clone zone ZBEs" $NZ "$(grep -c '^zfs'$'\t''clone .*/rpool/ZBE' "$ZBE_COUNT_LOG")"
	assert_calls "beadm create NEW: zfs destroy calls" 0 "$(calls zfs destroy)"
	assert_calls "beadm create NEW: zpool calls" 0 "$(calls zpool)"
	assert_calls "beadm create NEW: zfs+zpool calls (2N+4)" $((2 * NZ + 4)) "$(calls)"
}

@test "beadm create NEW with zones issues no call zfs-fuse deadlocks on (zfs destroy -d -r over clones)" {
	# zfs-fuse 0.7.0 hangs for good on "zfs destroy -d -r P@s" when a
	# descendant's @s has a clone; the wrapper refuses that call instead of
	# wedging the daemon, so beadm create fails here until it stops making it
	counted beadm create NEW
	assert_status 0
	exists "$POOL/ROOT/NEW" || fail "no $POOL/ROOT/NEW"
}

@test "budget: beadm destroy -F NEW makes at most 2N+6 zfs/zpool calls (N = 5 zones)" {
	ZBE_COUNT_DESTROY_DR=settle counted beadm create NEW
	assert_status 0
	assert_eq "$(zfs list -H -o name -t filesystem -r "$POOL/zones" | grep -c '/rpool/ZBE6$')" $NZ "carried ZBEs"
	counted beadm destroy -F NEW
	assert_status 0
	exists "$POOL/ROOT/NEW" && fail "$POOL/ROOT/NEW is still there"
	assert_eq "$(zfs list -H -o name -t all -r "$POOL/zones" | grep -c -e '/rpool/ZBE6$' -e '@')" 0 \
	    "carried ZBEs and zone snapshots left"
	assert_calls_at_most "beadm destroy -F NEW: zfs+zpool calls" $((2 * NZ + 6)) "$(calls)"
}
