#!/usr/bin/env bats
# Invocation budgets: how many zfs/zpool processes beadm and zoneadm spawn
# on a host with N = 5 installed zones.  Deterministic counts only; the
# timings are in bench/ (bench/run, bench/RESULTS.md) and stay out of CI.
#
# zfs and zpool are the counting wrapper (the `zfs` and `zpool` keys of
# zbe.conf), which logs each call as "<tool><TAB><args>" and runs the real
# command; the world is in budget-helpers.bash.  The host BE has no child
# dataset (each would add one clone to create).  Budgets:
#   beadm -z z1 list      exactly 1 zfs call (the tree read), no zpool call
#   beadm list -a         1 tree read + 1 zpool call (bootfs)
#   zoneadm list -cv      1 tree read, no zpool call
#   zoneadm boot          the ZBE selection reads with 1 tree read
#   beadm prune [-n]      with nothing to destroy: 1 tree read + 2 zpool
#                         calls (bootfs; the pool's size and free space)
# (a tree read is zfs get on zfs-fuse, zfs list on OpenZFS; the bootfs read
# zpool list on zfs-fuse, zpool get on OpenZFS)
#   beadm create NEW      exactly N+4 calls on OpenZFS (one channel program
#                         takes the journal and the snapshot of the host BE
#                         and all zones), no zpool call; exactly 2N+7 on
#                         zfs-fuse, whose zfs snapshot takes one dataset and
#                         whose clone mounts a clone at mountpoint=/, and 1
#                         zpool call where system_root is not / (here)
#   beadm destroy -F NEW  5 calls on OpenZFS whatever N (one channel
#                         program); at most 2N+8 on zfs-fuse
#   beadm activate NEW    3N+6 zfs and 2 zpool calls on OpenZFS; 3N+10 zfs
#                         on zfs-fuse, whose look at NEW's /boot costs 4
# Each mutating operation's 2 extra calls are its journal (crash safety):
# zfs set org.zbe:journal before the first change, zfs inherit after the
# last (create on OpenZFS sets it in its channel program: 1 extra call).
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
	assert_calls "beadm -z z1 list: tree reads (zfs get or list)" 1 "$(reads)"
	assert_calls "beadm -z z1 list: zpool calls" 0 "$(calls zpool)"
}

check_list_a() {
	counted beadm list -a
	assert_status 0
	assert_contains "$output" GBE0
	assert_calls "beadm list -a: zfs calls" 1 "$(calls zfs)"
	assert_calls "beadm list -a: tree reads (zfs get or list)" 1 "$(reads)"
	assert_calls "beadm list -a: zpool calls" 1 "$(calls zpool)"
	assert_calls "beadm list -a: bootfs reads (zpool list or get)" 1 "$(bootfs_reads)"
}

check_zoneadm_list() {
	local n=$1
	counted zoneadm list -cv
	assert_status 0
	assert_eq "$(grep -c ' installed ' <<<"$output")" "$n" "installed zones listed"
	assert_calls "zoneadm list -cv: zfs calls" 1 "$(calls zfs)"
	assert_calls "zoneadm list -cv: tree reads (zfs get or list)" 1 "$(reads)"
	assert_calls "zoneadm list -cv: zpool calls" 0 "$(calls zpool)"
}

# GBE0 automatic and among the newest keep: prune decides, destroys nothing.
check_prune() {
	local args
	for args in "prune -n" prune; do
		# shellcheck disable=SC2086
		counted beadm $args
		assert_status 0
		assert_contains "$output" "keep          GBE0 (one of the newest)"
		assert_calls "beadm $args: zfs calls" 1 "$(calls zfs)"
		assert_calls "beadm $args: tree reads (zfs get or list)" 1 "$(reads)"
		assert_calls "beadm $args: zpool calls (bootfs; size and free)" 2 "$(calls zpool)"
	done
}

@test "budget: beadm prune [-n] decides on 1 tree read and 2 zpool calls, for 5 and 8 zones" {
	zfs set org.opensolaris.libbe:policy=auto "$POOL/ROOT/GBE0"
	check_prune
	make_zones $((NZ + 1)) $((NZ + 3))
	check_prune
}

@test "budget: beadm -z z1 list makes exactly 1 zfs call (the tree read) and no zpool call, for 5 and 8 zones" {
	check_zone_list
	make_zones $((NZ + 1)) $((NZ + 3))
	check_zone_list
}

@test "budget: beadm list -a makes 1 tree read and 1 zpool call (bootfs), for 5 and 8 zones" {
	check_list_a
	make_zones $((NZ + 1)) $((NZ + 3))
	check_list_a
}

@test "budget: zoneadm list -cv makes 1 tree read and no zpool call, for 5 and 8 zones" {
	check_zoneadm_list $NZ
	make_zones $((NZ + 1)) $((NZ + 3))
	check_zoneadm_list $((NZ + 3))
}

@test "budget: zoneadm boot selects the zone's BE after 1 tree read (no active ZBE: it stops there)" {
	# selection fails before anything is mounted or started, so the calls
	# made are exactly those of the selection
	zfs set "$ACTIVE_PROP=off" "$(zds z1 ZBE1)"
	local before
	before=$(state)
	counted zoneadm -z z1 boot
	assert_status 1
	assert_contains "$stderr" "no active zone boot environment"
	assert_calls "zoneadm -z z1 boot (selection): zfs calls" 1 "$(calls zfs)"
	assert_calls "zoneadm -z z1 boot (selection): tree reads (zfs get or list)" 1 "$(reads)"
	assert_calls "zoneadm -z z1 boot (selection): zpool calls" 0 "$(calls zpool)"
	assert_same "$before" "$(state)"
}

@test "budget: beadm create NEW makes exactly N+4 zfs calls on OpenZFS and no zpool call; 2N+7 zfs and 1 zpool call on zfs-fuse (N = 5 zones)" {
	# OpenZFS, for a source BE of H datasets (H = 1 here):
	#   1 zfs list    the tree (ROOT and the zones' parent in one call)
	#   1 zfs program create.zcp, one transaction group: the journal, the
	#                 snapshot of the source BE's datasets and of every
	#                 zone's active ZBE (the one instant), each tagged, and
	#                 the read of the source's locally set properties,
	#                 which its clones carry
	#   H + N         a zfs clone per dataset of the BE and per zone
	#   1             the journal's end: zfs inherit after the last clone
	# 3 + H + N = N + 4.  No pool property: the clones are made
	# canmount=noauto and mount nowhere, so the layout check (the altroot
	# read where system_root is not /, as here) is left to what mounts.
	# zfs-fuse, a zfs command per step:
	#   2 zfs get     the tree, and the source's local properties (-s local)
	#   1 + N         zfs snapshot takes one dataset: -r of the BE, one per zone
	#   H + N         the clones
	#   2             the journal: zfs set before the snapshot, zfs inherit
	#                 after the last clone
	#   1             zfs set mountpoint=/ on the new BE root, cloned legacy:
	#                 zfs-fuse's clone mounts a clone whose mountpoint is a
	#                 path, canmount=noauto or not (measured), here over the
	#                 running root
	#   1 zpool list  bootfs and altroot: that clone mounts, so where
	#                 system_root is not / the pool must have it as altroot
	# 2N + 6 + H = 2N + 7 zfs calls.  No destroy on either (nothing is
	# snapshotted that is not cloned).  (Folding the local-property read
	# into zfs-fuse's tree read would save one call at the price of reading
	# every property of every dataset: about 4x the tree read's time on
	# zfs-fuse, measured.)
	local snapshots total sets reads programs zpools
	if on_openzfs; then
		snapshots=0 total=$((NZ + 4)) sets=0 reads=1 programs=1 zpools=0
	else
		snapshots=$((NZ + 1)) total=$((2 * NZ + 7 + 1)) sets=2 reads=2 programs=0 zpools=1
	fi
	counted beadm create NEW
	assert_status 0
	exists "$POOL/ROOT/NEW" || fail "no $POOL/ROOT/NEW"
	assert_calls "beadm create NEW: zfs get or list calls (the reads)" $reads "$(reads)"
	assert_calls "beadm create NEW: zfs program calls" $programs "$(calls zfs program)"
	assert_calls "beadm create NEW: zfs snapshot calls" $snapshots "$(calls zfs snapshot)"
	assert_calls "beadm create NEW: zfs clone calls" $((NZ + 1)) "$(calls zfs clone)"
	assert_calls "beadm create NEW: zfs calls that clone zone ZBEs" $NZ "$(grep -c '^zfs'$'\t''clone .*/rpool/ZBE' "$ZBE_COUNT_LOG")"
	assert_calls "beadm create NEW: zfs destroy calls" 0 "$(calls zfs destroy)"
	assert_calls "beadm create NEW: zfs set calls (zfs-fuse: the journal, the mountpoint)" $sets "$(calls zfs set)"
	assert_calls "beadm create NEW: zfs inherit calls (the journal's end)" 1 "$(calls zfs inherit)"
	assert_calls "beadm create NEW: zpool calls (zfs-fuse: bootfs and altroot)" $zpools "$(calls zpool)"
	assert_calls "beadm create NEW: zfs+zpool calls" $total "$(calls)"
	# every snapshot made is cloned: one per BE dataset and zone, all the
	# same name, each tagged automatic and with the create's opid
	local snap
	snap=$(zfs get -H -o value origin "$POOL/ROOT/NEW")
	assert_eq "$(zfs list -H -t snapshot -o name -r "$POOL" | grep -c "@${snap#*@}\$")" $((NZ + 1)) \
	    "snapshots @${snap#*@}"
	assert_eq "$(zfs list -H -t snapshot -o name,$AUTO_PROP -r "$POOL" | grep "@${snap#*@}"$'\t' | grep -vc $'\ton$')" 0 \
	    "snapshots @${snap#*@} not tagged $AUTO_PROP=on"
	assert_eq "$(zfs list -H -t snapshot -o name,$OP_PROP -r "$POOL" | grep "@${snap#*@}"$'\t' | cut -f2 | sort -u | wc -l)" 1 \
	    "distinct $OP_PROP values of the snapshots"
	assert_eq "$(zfs get -H -o value $JOURNAL_PROP "$POOL/ROOT")" - "the journal after create"
	if on_openzfs; then
		# one instant: every snapshot of the create in one transaction group
		assert_eq "$(zfs list -H -p -t snapshot -o createtxg -r "$POOL" | sort -u | wc -l)" 1 \
		    "distinct createtxg of the snapshots"
	fi
}

@test "beadm create NEW with zones issues no call zfs-fuse deadlocks on (zfs destroy -d -r over clones)" {
	# zfs-fuse 0.7.0 hangs for good on "zfs destroy -d -r P@s" when a
	# descendant's @s has a clone; the wrapper refuses that call instead of
	# wedging the daemon, so beadm create fails here until it stops making it
	counted beadm create NEW
	assert_status 0
	exists "$POOL/ROOT/NEW" || fail "no $POOL/ROOT/NEW"
}

@test "budget: beadm destroy -F NEW makes 5 zfs/zpool calls on OpenZFS whatever N, at most 2N+8 on zfs-fuse (N = 5 zones)" {
	# OpenZFS: the tree read, the pool's bootfs, the journal (set and
	# inherit), and one channel program (zfs program) that promotes and
	# destroys the BE and the N zones' ZBEs of it in one transaction group.
	# zfs-fuse: a zfs command per step.
	counted beadm create NEW
	assert_status 0
	assert_eq "$(zfs list -H -o name -t filesystem -r "$POOL/zones" | grep -c '/rpool/ZBE6$')" $NZ "carried ZBEs"
	counted beadm destroy -F NEW
	assert_status 0
	exists "$POOL/ROOT/NEW" && fail "$POOL/ROOT/NEW is still there"
	assert_eq "$(zfs list -H -o name -t all -r "$POOL/zones" | grep -c -e '/rpool/ZBE6$' -e '@')" 0 \
	    "carried ZBEs and zone snapshots left"
	if on_openzfs; then
		assert_calls "beadm destroy -F NEW: zfs program calls" 1 "$(calls zfs program)"
		assert_calls "beadm destroy -F NEW: zfs destroy or promote calls" 0 \
		    $(($(calls zfs destroy) + $(calls zfs promote)))
		assert_calls "beadm destroy -F NEW: zfs+zpool calls" 5 "$(calls)"
	else
		assert_calls_at_most "beadm destroy -F NEW: zfs+zpool calls" $((2 * NZ + 8)) "$(calls)"
	fi
}

@test "budget: beadm activate NEW makes 3N+6 zfs calls on OpenZFS, 3N+10 on zfs-fuse (the look at /boot), and 2 zpool calls (N = 5 zones)" {
	#   1 zfs get     the tree
	#   look          NEW is not mounted: mounted to see its /boot, then
	#                 unmounted; OpenZFS: mount(2), no zfs call; zfs-fuse: a
	#                 temporary mountpoint, zfs mount, zfs unmount and
	#                 mountpoint=legacy again: 4
	#   2             the journal
	#   3 (1 + N)     for NEW and each zone's ZBE of it: its origins read,
	#                 zfs promote, its origins read again
	#   zpool         the bootfs read, then bootfs set last
	local look=4
	on_openzfs && look=0
	beadm create NEW
	counted beadm activate NEW
	assert_status 0
	assert_eq "$(zpool list -H -o bootfs "$POOL")" "$POOL/ROOT/NEW" bootfs
	assert_calls "beadm activate NEW: zfs mount calls (the look)" $((look / 4)) "$(calls zfs mount)"
	assert_calls "beadm activate NEW: zfs unmount calls (the look)" $((look / 4)) "$(calls zfs unmount)"
	assert_calls "beadm activate NEW: zfs promote calls" $((NZ + 1)) "$(calls zfs promote)"
	assert_calls "beadm activate NEW: zfs calls" $((3 * NZ + 6 + look)) "$(calls zfs)"
	assert_calls "beadm activate NEW: zpool calls (bootfs read and set)" 2 "$(calls zpool)"
}
