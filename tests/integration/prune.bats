#!/usr/bin/env bats
# beadm prune: retention of automatic BEs (keep, min_free) and the BEs it
# never destroys.  Automatic BEs are made with beadm create -o policy=auto,
# as the apt hook makes them, often several in one second: prune orders
# those by createtxg.

load helpers

POLICY_PROP=org.opensolaris.libbe:policy

auto_be() { # name [create options]
	local n=$1
	shift
	beadm create -o "$POLICY_PROP=auto" "$@" "$n" || fail "create $n failed"
}

# The BEs of the pool, sorted, as one line.
bes() {
	zfs list -H -o name -d 1 "$POOL/ROOT" | sed -n "s|^$POOL/ROOT/||p" | sort | xargs
}

@test "prune keeps the newest keep automatic BEs and destroys the older ones (min_free = 0: count only)" {
	write_conf "keep = 2" "min_free = 0"
	auto_be a1
	beadm create s1
	auto_be a2
	auto_be a3
	auto_be a4
	run --separate-stderr beadm prune
	assert_status 0
	assert_contains "$output" "destroyed     a1"
	assert_contains "$output" "destroyed     a2"
	assert_contains "$output" "keep          a3 (one of the newest)"
	assert_contains "$output" "keep          a4 (one of the newest)"
	assert_not_contains "$output" s1
	assert_eq "$(bes)" "GBE1 a3 a4 s1" "BEs left"
	assert_eq "$(bootfs)" "$GBE1" bootfs
	# nothing more to do the second time
	run --separate-stderr beadm prune
	assert_status 0
	assert_not_contains "$output" destroy
}

@test "prune: of BEs made in one second, the later one is the newer, whatever the names" {
	write_conf "keep = 1" "min_free = 0"
	auto_be zz
	auto_be aa
	run --separate-stderr beadm prune
	assert_status 0
	assert_contains "$output" "keep          aa (one of the newest)"
	assert_contains "$output" "destroyed     zz"
	assert_eq "$(bes)" "GBE1 aa" "BEs left"
}

@test "prune destroys older automatic BEs only while the pool's free space is under min_free" {
	write_conf "keep = 0" "min_free = 100"
	auto_be a1
	auto_be a2
	# 24M in a1 alone: destroying it frees them
	raw_mount a1 "$TMP/w"
	dd if=/dev/urandom of="$TMP/w/fill" bs=1M count=24 status=none
	raw_unmount a1
	zfs snapshot "$POOL@sync" # a transaction group: used and free are up to date
	run --separate-stderr beadm prune -n
	assert_status 0
	local free
	free=$(sed -n 's/^keep = 0, min_free = 100%: \([0-9]*\)% free.*/\1/p' <<<"$output")
	[ -n "$free" ] && [ "$free" -lt 95 ] || fail "free space not shown, or too high: $output"

	# at min_free the pool has enough: nothing goes
	write_conf "keep = 0" "min_free = $free"
	run --separate-stderr beadm prune
	assert_status 0
	assert_contains "$output" "keep          a1 (enough free space)"
	assert_contains "$output" "keep          a2 (enough free space)"
	assert_eq "$(bes)" "GBE1 a1 a2" "BEs left"

	# one point more: the oldest goes, and its 24M bring the pool over
	write_conf "keep = 0" "min_free = $((free + 1))"
	run --separate-stderr beadm prune
	assert_status 0
	assert_contains "$output" "destroyed     a1"
	assert_contains "$output" "keep          a2 (enough free space)"
	assert_eq "$(bes)" "GBE1 a2" "BEs left"
}

@test "prune never destroys a static BE, the running BE or the BE active on reboot" {
	write_conf "keep = 0" "min_free = 0"
	auto_be a1
	beadm create s1
	auto_be a2
	auto_be a3
	zfs set "$POLICY_PROP=auto" "$GBE1" # the running BE, made automatic
	zpool set bootfs="$(ds a2)" "$POOL"
	run --separate-stderr beadm prune
	assert_status 0
	assert_contains "$output" "destroyed     a1"
	assert_contains "$output" "keep          a2 (active on reboot)"
	assert_contains "$output" "destroyed     a3"
	assert_contains "$output" "keep          GBE1 (running)"
	assert_eq "$(bes)" "GBE1 a2 s1" "BEs left"
	assert_eq "$(bootfs)" "$(ds a2)" bootfs
}

@test "prune never destroys an automatic BE whose snapshot backs a BE that stays" {
	write_conf "keep = 0" "min_free = 0"
	auto_be a1
	beadm create -e a1 s1
	auto_be a2
	run --separate-stderr beadm prune
	assert_status 0
	assert_contains "$output" "keep          a1 (its snapshot is the origin of $(ds s1))"
	assert_contains "$output" "destroyed     a2"
	assert_eq "$(bes)" "GBE1 a1 s1" "BEs left"
	exists "$(prop "$(ds s1)" origin)" || fail "the origin of s1 is gone"
}

@test "prune -n prints the plan and changes nothing" {
	write_conf "keep = 1" "min_free = 0"
	auto_be a1
	auto_be a2
	local before
	before=$(state)
	run --separate-stderr beadm prune -n
	assert_status 0
	assert_contains "$output" "would destroy a1"
	assert_contains "$output" "keep          a2 (one of the newest)"
	assert_same "$before" "$(state)"
	# the global -n: the zfs commands of the destroy, printed, not run
	run --separate-stderr beadm -n prune
	assert_status 0
	assert_contains "$output" "would destroy a1"
	assert_match "$output" "zfs destroy -r $(ds a1)"
	assert_same "$before" "$(state)"
}

@test "beadm list shows the policy: auto or static" {
	auto_be a1
	run --separate-stderr beadm list -H
	assert_status 0
	assert_match "$output" "(^|"$'\n'")a1;[^;]*;-;;[0-9]+;auto;[0-9]+"
	assert_match "$output" "(^|"$'\n'")GBE1;[^;]*;NR;[^;]*;[0-9]+;static;[0-9]+"
	run --separate-stderr beadm list
	assert_status 0
	assert_match "$output" $'\n''a1 +- +- +[0-9.]+[BKMG]? +auto '
	# a BE made from an automatic one is static unless told
	beadm create -e a1 s1
	assert_eq "$(prop "$(ds s1)" $POLICY_PROP)" - "policy of s1"
}

@test "prune: bad usage and a bad configuration change nothing" {
	auto_be a1
	local before
	before=$(state)
	run --separate-stderr beadm prune extra
	assert_status 2
	run --separate-stderr beadm prune -x
	assert_status 2
	write_conf "keep = many"
	run --separate-stderr beadm prune
	assert_status 1
	assert_match "$stderr" "^beadm: .*zbe.conf:3: keep: 'many' is not a whole number$"
	write_conf "min_free = 101"
	run --separate-stderr beadm prune
	assert_status 1
	assert_contains "$stderr" "min_free: '101' is not a percentage from 0 to 100"
	assert_same "$before" "$(state)"
}

@test "prune never destroys a one-time activation's BE nor the BE it returns to" {
	write_conf "keep = 0" "min_free = 0"
	auto_be a1
	auto_be a2
	auto_be a3
	auto_be a4
	zpool set bootfs="$(ds a2)" "$POOL"
	beadm activate -t a4
	run --separate-stderr beadm prune
	assert_status 0
	assert_contains "$output" "destroyed     a1"
	assert_contains "$output" "keep          a2 (activate -t pending)"
	assert_contains "$output" "destroyed     a3"
	assert_contains "$output" "keep          a4 (activate -t pending)"
	assert_eq "$(bes)" "GBE1 a2 a4" "BEs left"
	assert_eq "$(bootfs)" "$(ds a4)" bootfs
	assert_eq "$(zfs get -H -o value -s local "$REVERT_PROP" "$POOL/ROOT")" a2 marker
}
