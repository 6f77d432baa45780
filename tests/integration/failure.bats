#!/usr/bin/env bats
# Failure injection: zfs is tests/integration/zfs-fail-wrapper, whose Nth
# mutating call fails.  A create that fails at any step must leave the pool
# exactly as it was.

load helpers

use_wrapper() {
	write_conf "zfs = $FAIL_WRAPPER"
	export ZBE_FAIL_COUNTER=$TMP/count ZBE_FAIL_LOG=$TMP/zfs.log ZBE_FAIL_AT=0
	rm -f "$TMP/count" "$TMP/zfs.log"
}

# mutating_count ARGS...: K, the number of mutating zfs calls `beadm ARGS`
# makes, read from `beadm -v ARGS` in a world of its own (then a fresh one).
mutating_count() {
	use_wrapper
	run --separate-stderr beadm -v "$@"
	assert_status 0
	local traced counted
	traced=$(grep -cE "^\+ $FAIL_WRAPPER (snapshot|clone|promote|destroy|rename|set|inherit|rollback|mount|unmount|umount) " <<<"$stderr" || true)
	counted=$(cat "$TMP/count")
	assert_eq "$traced" "$counted" "mutating calls traced by -v vs counted by the wrapper"
	K=$counted
	zbt_teardown
	zbt_setup
	use_wrapper
}

# inject K ARGS...: for N = 1..K, beadm ARGS fails at the Nth mutating call
# with exit 1, and the pool is as before; with N = K+1 it works.
inject() {
	local k=$1 n before
	shift
	before=$(state)
	for n in $(seq 1 "$k"); do
		rm -f "$TMP/count" "$TMP/zfs.log"
		ZBE_FAIL_AT=$n run --separate-stderr beadm "$@"
		if [ "$status" -ne 1 ]; then
			fail "beadm $* with call $n of $k failing: exit $status, expected 1
stderr: $stderr
calls: $(cat "$TMP/zfs.log")"
		fi
		assert_match "$stderr" '^beadm: ' "stderr (call $n failing)"
		assert_contains "$stderr" "injected failure of mutating call $n" "stderr (call $n failing)"
		assert_not_contains "$stderr" "undo failed" "stderr (call $n failing)"
		if [ "$before" != "$(state)" ]; then
			fail "beadm $* with call $n of $k failing left the pool changed:
$(diff <(printf '%s\n' "$before") <(state))
stderr: $stderr
calls:
$(cat "$TMP/zfs.log")"
		fi
	done
	rm -f "$TMP/count"
	ZBE_FAIL_AT=$((k + 1)) run --separate-stderr beadm "$@"
	assert_status 0
}

@test "create fails cleanly at every mutating zfs call" {
	mutating_count create PROBE
	[ "$K" -ge 3 ] || fail "create made only $K mutating calls"
	inject "$K" create NEW
	exists "$(ds NEW)/var" || fail "NEW/var missing after the good run"
}

@test "create -e BE fails cleanly at every mutating zfs call" {
	beadm create A
	mutating_count create -e A PROBE
	beadm create A
	inject "$K" create -e A NEW
}

@test "create -e BE@snap fails cleanly at every mutating zfs call" {
	beadm create GBE1@s
	mutating_count create -e GBE1@s PROBE
	beadm create GBE1@s
	[ "$K" -ge 2 ] || fail "create -e BE@snap made only $K mutating calls"
	inject "$K" create -e GBE1@s NEW
}

@test "create -a fails cleanly at every mutating zfs call (bootfs too)" {
	mutating_count create -a PROBE
	[ "$K" -ge 4 ] || fail "create -a made only $K mutating calls"
	inject "$K" create -a NEW
	assert_eq "$(bootfs)" "$(ds NEW)" "bootfs after the good run"
}

@test "create with a child dataset more: every call fails cleanly" {
	zfs create "$GBE1/var/log"
	zfs create "$GBE1/home"
	mutating_count create PROBE
	[ "$K" -ge 5 ] || fail "create made only $K mutating calls"
	zfs create "$GBE1/var/log"
	zfs create "$GBE1/home"
	inject "$K" create NEW
}

@test "mount fails cleanly at every mutating zfs call" {
	beadm create A
	mutating_count mount A "$TMP/mnt"
	[ "$K" -ge 3 ] || fail "mount made only $K mutating calls"
	beadm create A
	local n before
	before=$(state)
	for n in $(seq 1 "$K"); do
		rm -f "$TMP/count"
		ZBE_FAIL_AT=$n run --separate-stderr beadm mount A "$TMP/mnt"
		assert_status 1
		assert_contains "$stderr" "injected failure of mutating call $n" "stderr (call $n failing)"
		assert_same "$before" "$(state)" "state after mount failed at call $n"
		[ -e "$TMP/mnt" ] && fail "mount failed at call $n and left $TMP/mnt"
	done
	rm -f "$TMP/count"
	ZBE_FAIL_AT=$((K + 1)) run --separate-stderr beadm mount A "$TMP/mnt"
	assert_status 0
	assert_eq "$(mounted_at "$(ds A)/var")" "$TMP/mnt/var" "A/var mounted by the good run"
}

# fresh_world: a new pool, zfs still the wrapper
fresh_world() {
	zbt_teardown
	zbt_setup
	use_wrapper
}

# (B from a user snapshot of A, so that no two snapshots on the way share
# a name: see "auto snapshot names are unique along a lineage")
make_chain() {
	beadm create A
	beadm create A@sa
	beadm create -e A@sa B
}

@test "activate failing at any call leaves bootfs alone and can be retried" {
	make_chain
	mutating_count activate B
	[ "$K" -ge 2 ] || fail "activate made only $K mutating calls"
	local n
	for n in $(seq 1 "$K"); do
		fresh_world
		make_chain
		rm -f "$TMP/count"
		ZBE_FAIL_AT=$n run --separate-stderr beadm activate B
		assert_status 1
		assert_eq "$(bootfs)" "$GBE1" "bootfs after activate failed at call $n"
		assert_eq "$(names | sed 's/@.*//' | sort -u)" "$(printf '%s\n' "$POOL" "$POOL/ROOT" \
		    "$(ds A)" "$(ds A)/var" "$(ds B)" "$(ds B)/var" "$GBE1" "$GBE1/var" | sort)" \
		    "datasets after activate failed at call $n"
		rm -f "$TMP/count"
		ZBE_FAIL_AT=0 run --separate-stderr beadm activate B
		assert_status 0
		assert_eq "$(bootfs)" "$(ds B)" "bootfs after the retry (call $n failed)"
		assert_eq "$(prop "$(ds B)" origin)" - "origin of B after the retry (call $n failed)"
		assert_eq "$(prop "$(ds B)/var" origin)" - "origin of B/var after the retry (call $n failed)"
	done
}

# X without a child dataset (see destroy.bats for destroy-and-promote
# with children)
make_xy() {
	zfs create -o mountpoint=legacy -o canmount=noauto -o "$UUID_PROP=$(uuidgen)" "$(ds X)"
	beadm create -e X Y
}

@test "destroy with promotion failing at any call can be retried" {
	make_xy
	mutating_count destroy -F X
	[ "$K" -ge 3 ] || fail "destroy made only $K mutating calls"
	local n
	for n in $(seq 1 "$K"); do
		fresh_world
		make_xy
		rm -f "$TMP/count"
		ZBE_FAIL_AT=$n run --separate-stderr beadm destroy -F X
		assert_status 1
		exists "$(ds Y)" || fail "Y gone (failure at call $n)"
		rm -f "$TMP/count"
		if exists "$(ds X)"; then
			ZBE_FAIL_AT=0 run --separate-stderr beadm destroy -F X
			assert_status 0
			exists "$(ds X)" && fail "X still there after a retry (failure at call $n): $stderr"
		else
			# X went, the clean-up of its snapshot failed: beadm removes it
			local snap
			for snap in $(snapshots_of "$(ds Y)"); do
				run --separate-stderr beadm destroy -F "Y@${snap#*@}"
				assert_status 0
			done
		fi
		assert_eq "$(names | grep -E "/ROOT/X([/@]|$)")" "" "leftovers of X (failure at call $n)"
		assert_eq "$(snapshots_of "$(ds Y)")" "" "snapshots left on Y (failure at call $n)"
		exists "$(ds Y)" || fail "Y gone (failure at call $n)"
	done
}
