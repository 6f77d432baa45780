# KNOWN BUG, not run by tests/run: on zfs-fuse, `beadm create NEW` with N
# zones makes 2N+4 zfs calls (N = 5: 14), not the N+6 of its budget (11).
# The zfs-fuse driver carries each zone with a zfs snapshot and a zfs clone
# of its own, because the N+6 way (one zfs snapshot -r over all zones, a
# clone per zone, then "zfs destroy -d -r" of the snapshots nobody cloned)
# wedges zfs-fuse 0.7.0 for good, and zfs-fuse's zfs snapshot takes one
# dataset.  tests/integration/budgets.bats pins the 2N+4 that zfs-fuse
# makes; this test fails on zfs-fuse until create gets there (it holds on
# OpenZFS by design, which no machine here has measured).
# Run: bats tests/known-bugs/create-budget.bats
#!/usr/bin/env bats
# The budget: beadm create NEW with N = 5 zones and a host BE without child
# datasets makes at most N+6 zfs/zpool calls: 2 reads, the host BE's
# snapshot and clone, one snapshot over the zones, N clones and one destroy
# of the zones' snapshots nobody cloned.

load ../integration/helpers
load ../integration/budget-helpers

@test "budget: beadm create NEW makes at most N+6 zfs/zpool calls (N = 5 zones)" {
	# the wrapper settles a "zfs destroy -d -r" over clones snapshot by
	# snapshot (zfs-fuse would wedge on it); the log still counts it as one
	ZBE_COUNT_DESTROY_DR=settle counted beadm create NEW
	assert_status 0
	assert_calls "beadm create NEW: zfs calls that clone zone ZBEs" $NZ "$(grep -c '^zfs'$'\t''clone .*/rpool/ZBE' "$ZBE_COUNT_LOG")"
	assert_calls_at_most "beadm create NEW: zfs+zpool calls" $((NZ + 6)) "$(calls)"
}
