#!/usr/bin/env bats
# beadm destroy: refusals, destroy-and-promote, snapshots.

load helpers

@test "destroy removes a BE, its children and the snapshot beadm made for it" {
	local origin before_snaps
	before_snaps=$(snapshots_of "$POOL")
	beadm create A
	origin=$(prop "$(ds A)" origin)
	run --separate-stderr beadm destroy -F A
	assert_status 0
	exists "$(ds A)" && fail "A still there"
	exists "$(ds A)/var" && fail "A/var still there"
	exists "$origin" && fail "auto snapshot $origin still there"
	assert_same "$before_snaps" "$(snapshots_of "$POOL")" "snapshots"
	assert_eq "$(bootfs)" "$GBE1" bootfs
}

@test "destroy keeps a user snapshot a BE was cloned from" {
	beadm create GBE1@keep
	beadm create -e GBE1@keep A
	run beadm destroy -F A
	assert_status 0
	exists "$(ds A)" && fail "A still there"
	exists "$GBE1@keep" || fail "user snapshot $GBE1@keep was destroyed"
	exists "$GBE1/var@keep" || fail "user snapshot $GBE1/var@keep was destroyed"
}

@test "destroy keeps an auto snapshot another BE still uses" {
	beadm create GBE1@base
	beadm create A
	local origin
	origin=$(prop "$(ds A)" origin)
	beadm create -e "GBE1@${origin#*@}" B
	run beadm destroy -F A
	assert_status 0
	exists "$origin" || fail "$origin destroyed while B is its clone"
	assert_eq "$(prop "$(ds B)" origin)" "$origin" "origin of B"
}

@test "destroy of a BE whose snapshot has a dependent clone promotes the clone" {
	beadm create X
	be_write X var/data "X data"
	be_write X rootfile "X root"
	beadm create -e X Y
	local yorigin xorigin
	yorigin=$(prop "$(ds Y)" origin)
	xorigin=$(prop "$(ds X)" origin)
	assert_match "$yorigin" "^$(ds X)@" "origin of Y"

	run --separate-stderr beadm destroy -F X
	assert_status 0
	exists "$(ds X)" && fail "X still there"
	exists "$(ds Y)" || fail "Y is gone"
	exists "$(ds Y)/var" || fail "Y/var is gone"
	# nothing of X is left, and the auto snapshot Y was made from is gone
	assert_eq "$(names | grep -E "/ROOT/X([/@]|$)")" "" "leftovers of X"
	assert_eq "$(snapshots_of "$(ds Y)")" "" "snapshots left on Y"
	# Y now hangs off what X hung off
	assert_eq "$(prop "$(ds Y)" origin)" "$xorigin" "origin of Y after"
	# Y mounts with beadm and has its data
	run --separate-stderr beadm mount Y "$TMP/y"
	assert_status 0
	assert_eq "$(cat "$TMP/y/var/data")" "X data" "Y var/data"
	assert_eq "$(cat "$TMP/y/rootfile")" "X root" "Y rootfile"
	run beadm unmount Y
	assert_status 0
	assert_eq "$(pool_mounts | grep -c /ROOT/Y)" 0 "mounts of Y"
}

@test "destroy of a BE with two dependent clones from different snapshots" {
	beadm create X
	beadm create -e X Y
	beadm create -e X Z
	run --separate-stderr beadm destroy -F X
	assert_status 0
	exists "$(ds X)" && fail "X still there"
	exists "$(ds Y)" || fail "Y is gone"
	exists "$(ds Z)" || fail "Z is gone"
	assert_eq "$(names | grep -E "/ROOT/X([/@]|$)")" "" "leftovers of X"
	# the snapshots still used stay, wherever they went
	local o
	for b in Y Z; do
		o=$(prop "$(ds $b)" origin)
		[ "$o" = - ] || exists "$o" || fail "origin $o of $b missing"
	done
	run beadm mount Z "$TMP/z"
	assert_status 0
	run beadm unmount Z
	assert_status 0
}

@test "destroy BE@snap with a dependent clone is refused" {
	beadm create A
	beadm create A@s1
	beadm create -e A@s1 B
	local before
	before=$(state)
	run --separate-stderr beadm destroy -F A@s1
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	assert_same "$before" "$(state)"
	# also when only a child's snapshot is cloned
	zfs clone "$(ds A)/var@s1" "$POOL/other"
	zfs destroy -r "$(ds B)"
	before=$(state)
	run --separate-stderr beadm destroy -F A@s1
	assert_status 1
	assert_same "$before" "$(state)"
}

@test "destroy BE@snap removes the snapshot recursively" {
	beadm create A
	beadm create A@s1
	run --separate-stderr beadm destroy -F A@s1
	assert_status 0
	assert_eq "$(snapshots_of "$(ds A)")" "" "snapshots of A"
	exists "$(ds A)" || fail "A is gone"
	run --separate-stderr beadm destroy -F A@nope
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
}

@test "destroy of the running BE is refused" {
	beadm create A
	beadm activate A
	local before
	before=$(state)
	run --separate-stderr beadm destroy -F GBE1
	assert_status 1
	assert_match "$stderr" '^beadm: .*GBE1.*running' stderr
	run --separate-stderr beadm destroy -fFs GBE1
	assert_status 1
	assert_same "$before" "$(state)"
}

@test "destroy of the bootfs BE is refused" {
	beadm create A
	beadm activate A
	local before
	before=$(state)
	run --separate-stderr beadm destroy -F A
	assert_status 1
	assert_match "$stderr" '^beadm: .*A.*' stderr
	run --separate-stderr beadm destroy -fFs A
	assert_status 1
	assert_same "$before" "$(state)"
	exists "$(ds A)" || fail "A is gone"
}

@test "destroy of a mounted BE: refused without -f, done with -f" {
	beadm create A
	run --separate-stderr beadm mount A
	assert_status 0
	local mp=$output before
	[ -d "$mp" ] || fail "mountpoint $mp is not a directory"
	before=$(state)
	run --separate-stderr beadm destroy -F A
	assert_status 1
	assert_match "$stderr" '^beadm: .*mounted' stderr
	assert_same "$before" "$(state)"
	assert_eq "$(mounted_at "$(ds A)")" "$mp" "A still mounted"

	run --separate-stderr beadm destroy -fF A
	assert_status 0
	exists "$(ds A)" && fail "A still there"
	assert_eq "$(pool_mounts | grep -c "/ROOT/A")" 0 "mounts of A"
	[ -e "$mp" ] && fail "temporary mountpoint $mp left behind"
	true
}

@test "destroy of a BE with snapshots: refused without -s, done with -s" {
	beadm create A
	beadm create A@mine
	local before
	before=$(state)
	run --separate-stderr beadm destroy -F A
	assert_status 1
	assert_match "$stderr" '^beadm: .*snapshot' stderr
	assert_same "$before" "$(state)"
	run --separate-stderr beadm destroy -sF A
	assert_status 0
	exists "$(ds A)" && fail "A still there"
	assert_eq "$(names | grep -E "/ROOT/A([/@]|$)")" "" "leftovers of A"
}

@test "destroy of a missing BE fails" {
	local before
	before=$(state)
	run --separate-stderr beadm destroy -F NOPE
	assert_status 1
	assert_match "$stderr" '^beadm: .*NOPE' stderr
	assert_same "$before" "$(state)"
}

@test "destroy without -F on a non-terminal does not ask" {
	beadm create A
	run beadm destroy A
	assert_status 0
	exists "$(ds A)" && fail "A still there"
	true
}

@test "destroy -fF of a BE still in use says what it destroyed and what is left; a retry completes it" {
	beadm create B || fail "beadm create B failed"
	mkdir "$TMP/mb"
	beadm mount B "$TMP/mb" || fail "beadm mount B failed"
	# a process keeps B's root busy: zfs-fuse's forced unmount is lazy, and
	# "zfs destroy -r" then removes B/var before it finds B busy
	(cd "$TMP/mb" && exec sleep 60) &
	local busy=$!
	sleep 1
	run --separate-stderr beadm destroy -fF B
	kill "$busy"
	wait "$busy" || true
	assert_status 1
	if zfs list -H -o name "$POOL/ROOT/B/var" >/dev/null 2>&1; then
		# nothing destroyed at all is fine too: then the message is zfs's own
		assert_match "$stderr" "^beadm: " "message"
	else
		assert_match "$stderr" "^beadm: B: destroyed 1 of its 2 datasets, then stopped: .*busy.*; destroy it again once nothing uses it$" "message"
	fi
	sleep 1
	run --separate-stderr beadm destroy -fF B
	assert_status 0
	assert_eq "$(zfs list -H -o name -r "$POOL/ROOT/B" 2>/dev/null)" "" "datasets of B after the retry"
}
