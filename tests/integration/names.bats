#!/usr/bin/env bats
# Every bad name is refused: exit 1, a "beadm: " message, no zfs change,
# and not one mutating zfs call (zfs is the counting wrapper here).

load helpers

setup() {
	zbt_setup
	beadm create A
	beadm create A@s
	write_conf "zfs = $FAIL_WRAPPER"
	export ZBE_FAIL_COUNTER=$TMP/count ZBE_FAIL_LOG=$TMP/zfs.log ZBE_FAIL_AT=0
	N65=$(printf 'n%.0s' {1..65})
	# bad as any name
	BAD=("a b" "A/var" "a%b" ".." "a..b" "." "$N65" "" "a@b@c" "@b" "a*" "a;b" 'a$b' $'a\nb' "Ä")
}

# refuse ARGS...: beadm ARGS must fail cleanly.
refuse() {
	local count
	# the state before the first refusal of the test; each must keep it
	[ -n "${REF_STATE-}" ] || REF_STATE=$(state)
	rm -f "$TMP/count" "$TMP/zfs.log"
	run --separate-stderr beadm "$@"
	if [ "$status" -ne 1 ]; then
		fail "beadm $(printf '[%s] ' "$@"): exit $status, expected 1
stdout: $output
stderr: $stderr"
	fi
	[[ $stderr == "beadm: "* ]] || fail "beadm $(printf '[%s] ' "$@"): stderr does not start with 'beadm: ': $stderr"
	count=$(cat "$TMP/count" 2>/dev/null || echo 0)
	[ "$count" = 0 ] || fail "beadm $(printf '[%s] ' "$@"): $count mutating zfs calls: $(cat "$TMP/zfs.log")"
	assert_same "$REF_STATE" "$(state)" "state after beadm $(printf '[%s] ' "$@")"
}

@test "the wrapper counts: a good create makes mutating calls" {
	rm -f "$TMP/count"
	run beadm create OK
	assert_status 0
	[ "$(cat "$TMP/count")" -ge 3 ] || fail "count: $(cat "$TMP/count")"
}

@test "create refuses bad names" {
	for n in "${BAD[@]}" "A@" "A@a b" "A@a/b" "A@$N65" "A@.." "A@a%b"; do
		refuse create "$n"
	done
	# (options with beName@snapshot are a usage error of their own)
	for n in "${BAD[@]}"; do
		[[ $n == *@* ]] || refuse create -d desc -o org.example:x=1 "$n"
	done
	refuse create -- -x
	refuse create -- -r
}

@test "create -e refuses bad sources" {
	for n in "${BAD[@]}" "A@" "A@a b" "A@a/b" "A@$N65" "A@.." "A@s@s" "A@-x"; do
		refuse create -e "$n" NEW
	done
	refuse create -e -x NEW
	refuse create -e -r NEW
	exists "$(ds NEW)" && fail "NEW was created"
	true
}

@test "destroy refuses bad names" {
	for n in "${BAD[@]}" "A@" "A@a b" "A@a/b" "A@$N65" "A@.." "A@s@s"; do
		refuse destroy -F "$n"
	done
	refuse destroy -F -- -x
	refuse destroy -F -- "-r"
	refuse destroy -fFs -- "-R"
}

@test "rename refuses bad names, both old and new" {
	for n in "${BAD[@]}" "A@s"; do
		refuse rename "$n" NEW
		refuse rename A "$n"
	done
	refuse rename -- -x NEW
	refuse rename -- A -x
	refuse rename -- A -r
	# after the first operand, options are operands (POSIX getopt, as illumos)
	refuse rename A -x
}

@test "activate refuses bad names" {
	for n in "${BAD[@]}" "A@s"; do
		refuse activate "$n"
	done
	refuse activate -- -x
}

@test "mount refuses bad names" {
	for n in "${BAD[@]}" "A@s"; do
		refuse mount "$n"
		refuse mount "$n" "$TMP/mnt"
	done
	refuse mount -- -x "$TMP/mnt"
	[ -e "$TMP/mnt" ] && fail "$TMP/mnt was created"
	true
}

@test "unmount refuses bad names" {
	beadm mount A "$TMP/am"
	for n in "${BAD[@]}" "A@s"; do
		refuse unmount "$n"
	done
	refuse unmount -- -x
}

@test "rollback refuses bad BE and snapshot names" {
	for n in "${BAD[@]}"; do
		refuse rollback "$n" s
		refuse rollback A "$n"
	done
	for n in "a b" "a/b" "$N65" ".." "a%b" "s@s" "-x"; do
		refuse rollback "A@$n"
	done
	refuse rollback -- -x s
	refuse rollback -- A -x
	refuse rollback A -x
}

@test "list refuses bad names" {
	for n in "${BAD[@]}" "A@s"; do
		refuse list "$n"
		refuse list -H "$n"
	done
}

@test "names that look like options are usage errors (exit 2)" {
	local before
	before=$(state)
	for args in "create -x" "create -a -x" "destroy -x" "activate -x" "mount -x" "unmount -x" \
	    "rename -x A" "rollback -x" "rollback -x A" "list -x"; do
		# shellcheck disable=SC2086
		run --separate-stderr beadm $args
		[ "$status" -eq 2 ] || fail "beadm $args: exit $status, expected 2; stderr: $stderr"
		assert_contains "$stderr" "usage:" "stderr of beadm $args"
	done
	assert_same "$before" "$(state)"
}

@test "a 64-character name and names with . _ : - are good" {
	local n64
	n64=$(printf 'm%.0s' {1..64})
	for n in "$n64" "a.b" "a_b" "a:b" "a-b" "9z" "Z"; do
		run --separate-stderr beadm create "$n"
		[ "$status" -eq 0 ] || fail "create [$n]: exit $status: $stderr"
		exists "$(ds "$n")" || fail "no BE [$n]"
	done
	run beadm rename a.b "$(printf 'r%.0s' {1..64})"
	assert_status 0
}
