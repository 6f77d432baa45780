#!/usr/bin/env bats
# Two beadm at once: the lock serializes them.

load helpers

@test "two concurrent creates both succeed with distinct uuids" {
	local p1 p2 r1=0 r2=0
	beadm create X >"$TMP/x.out" 2>&1 &
	p1=$!
	beadm create Y >"$TMP/y.out" 2>&1 &
	p2=$!
	wait "$p1" || r1=$?
	wait "$p2" || r2=$?
	assert_eq "$r1" 0 "exit of create X ($(cat "$TMP/x.out"))"
	assert_eq "$r2" 0 "exit of create Y ($(cat "$TMP/y.out"))"
	local ux uy
	exists "$(ds X)/var" || fail "no X/var"
	exists "$(ds Y)/var" || fail "no Y/var"
	ux=$(prop "$(ds X)" $UUID_PROP)
	uy=$(prop "$(ds Y)" $UUID_PROP)
	assert_match "$ux" "$UUID_RE" "uuid of X"
	assert_match "$uy" "$UUID_RE" "uuid of Y"
	[ "$ux" != "$uy" ] || fail "X and Y share uuid $ux"
	[ "$(prop "$(ds X)" origin)" != "$(prop "$(ds Y)" origin)" ] || fail "X and Y share an origin snapshot"
}

@test "many concurrent creates and destroys, then a consistent pool" {
	local pids=() i rc=0
	for i in 1 2 3 4 5 6; do
		beadm create "C$i" >"$TMP/c$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || fail "create C$((i + 1)) failed: $(cat "$TMP/c$((i + 1)).out")"
	done
	pids=()
	for i in 1 2 3; do
		beadm destroy -F "C$i" >"$TMP/d$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || fail "destroy C$((i + 1)) failed: $(cat "$TMP/d$((i + 1)).out")"
	done
	run beadm list -H
	assert_status 0
	assert_eq "$(cut -d';' -f1 <<<"$output" | sort | tr '\n' ' ')" "C4 C5 C6 GBE1 " BEs
	assert_eq "$(cut -d';' -f2 <<<"$output" | sort -u | wc -l)" 4 "distinct uuids"
	# only the origins of C4..C6 are left as snapshots
	assert_eq "$(snapshots_of "$GBE1" | wc -l)" 6 "snapshots of GBE1 (root and var for 3 BEs)"
}

# zfs creates a clone and then sets the -o properties: a reader that does
# not wait for the lock can see the new BE root without its uuid.  The race
# is narrow: many lists, -H and -j in turn, during 24 creates.
@test "list during creates never shows a BE without a uuid (-H and -j)" {
	(
		for i in $(seq 1 24); do
			beadm create "L$i" || exit 1
		done
	) >"$TMP/bg.out" 2>&1 &
	local bg=$! n=0 bad f
	while kill -0 "$bg" 2>/dev/null; do
		n=$((n + 1))
		beadm list -H >"$TMP/list.$n.H" 2>&1 || fail "list -H failed: $(cat "$TMP/list.$n.H")"
		n=$((n + 1))
		beadm list -j >"$TMP/list.$n.j" 2>&1 || fail "list -j failed: $(cat "$TMP/list.$n.j")"
	done
	wait "$bg" || fail "background creates failed: $(cat "$TMP/bg.out")"
	[ "$n" -gt 0 ] || fail "list never ran during the creates"
	bad=$(cat "$TMP"/list.*.H | awk -F';' 'length($2) != 36 || $2 !~ /^[0-9a-f-]+$/' | sort -u)
	for f in "$TMP"/list.*.j; do
		jq -e . "$f" >/dev/null || fail "list -j printed no JSON: $(cat "$f")"
		bad+=$(jq -r 'to_entries[] | select((.value.uuid | type) != "string" or (.value.uuid | length) != 36)
		    | "\n-j: \(.key) uuid=\(.value.uuid)"' "$f")
	done
	[ -z "$bad" ] || fail "in $n lists, BEs without a uuid:
$bad"
	run beadm list -H
	assert_eq "$(wc -l <<<"$output")" 25 "BEs at the end"
}
