#!/usr/bin/env bats
# beadm -n (dry run: the plan, no change) and -v (trace on stderr).

load helpers

# dry ARGS...: beadm -n ARGS succeeds, prints a plan, changes nothing.
dry() {
	local before
	before=$(state)
	run --separate-stderr beadm -n "$@"
	if [ "$status" -ne 0 ]; then
		fail "beadm -n $*: exit $status
stdout: $output
stderr: $stderr"
	fi
	assert_same "$before" "$(state)" "state after beadm -n $*"
}

@test "-n create prints the snapshot and clones and changes nothing" {
	dry create NEW
	assert_match "$output" "(^|"$'\n'")zfs snapshot -r [^"$'\n'"]*$GBE1@[^"$'\n'"]+" "plan: snapshot"
	assert_match "$output" "(^|"$'\n'")zfs clone [^"$'\n'"]* $GBE1@[^ ]+ $POOL/ROOT/NEW("$'\n'"|$)" "plan: clone root"
	assert_match "$output" "(^|"$'\n'")zfs clone [^"$'\n'"]* $GBE1/var@[^ ]+ $POOL/ROOT/NEW/var("$'\n'"|$)" "plan: clone var"
	assert_contains "$output" "mountpoint=legacy" "plan"
	assert_contains "$output" "canmount=noauto" "plan"
	assert_contains "$output" "$UUID_PROP=" "plan"
	# every line of the plan is a zfs or zpool command
	while IFS= read -r l; do
		assert_match "$l" '^(zfs|zpool) ' "plan line"
	done <<<"$output"
	exists "$(ds NEW)" && fail "NEW created"
	true
}

@test "-n create -e BE@snap plans only clones" {
	beadm create GBE1@s
	dry create -e GBE1@s NEW
	assert_not_contains "$output" "zfs snapshot" "plan"
	assert_contains "$output" "$GBE1@s $POOL/ROOT/NEW" "plan"
}

@test "-n create -a plans bootfs and promotion and changes nothing" {
	dry create -a NEW
	assert_contains "$output" "zpool set bootfs=$POOL/ROOT/NEW $POOL" "plan"
	assert_contains "$output" "zfs promote $POOL/ROOT/NEW" "plan"
	assert_eq "$(bootfs)" "$GBE1" bootfs
}

@test "-n activate, destroy, rename, rollback, snapshot change nothing" {
	beadm create A
	beadm create A@s
	beadm create -e A@s B
	dry activate B
	assert_contains "$output" "zpool set bootfs=$(ds B) $POOL" "activate plan"
	assert_contains "$output" "zfs promote $(ds B)" "activate plan"
	dry destroy -F A
	assert_contains "$output" "zfs destroy" "destroy plan"
	dry destroy -sF A
	dry destroy -F B
	assert_contains "$output" "zfs destroy -r $(ds B)" "destroy plan"
	dry rename B C
	assert_contains "$output" "zfs rename $(ds B) $POOL/ROOT/C" "rename plan"
	dry rollback A s
	assert_contains "$output" "zfs rollback $(ds A)@s" "rollback plan"
	dry create A@t
	assert_contains "$output" "zfs snapshot -r $(ds A)@t" "snapshot plan"
	dry destroy -F B@nothing || true
}

@test "-n mount and unmount change nothing and make no directory" {
	beadm create A
	dry mount A "$TMP/newdir"
	[ -e "$TMP/newdir" ] && fail "dry run made $TMP/newdir"
	beadm mount A "$TMP/m"
	dry unmount A
	assert_eq "$(mounted_at "$(ds A)")" "$TMP/m" "A still mounted"
	assert_eq "$(mounted_at "$(ds A)/var")" "$TMP/m/var" "A/var still mounted"
}

@test "-n is refused where the real command would be" {
	local before
	before=$(state)
	run --separate-stderr beadm -n destroy -F GBE1
	assert_status 1
	run --separate-stderr beadm -n create GBE1
	assert_status 1
	assert_same "$before" "$(state)"
}

@test "-v traces every zfs and zpool command on stderr" {
	run --separate-stderr beadm -v create NEW
	assert_status 0
	assert_eq "$output" "" stdout
	assert_match "$stderr" "(^|"$'\n'")\+ zfs get -Hp -r " "trace: tree read"
	assert_match "$stderr" "(^|"$'\n'")\+ zfs snapshot -r [^"$'\n'"]*$GBE1@" "trace: snapshot"
	assert_match "$stderr" "(^|"$'\n'")\+ zfs clone [^"$'\n'"]* $POOL/ROOT/NEW("$'\n'"|$)" "trace: clone"
	assert_match "$stderr" "(^|"$'\n'")\+ zfs clone [^"$'\n'"]* $POOL/ROOT/NEW/var("$'\n'"|$)" "trace: clone var"
	while IFS= read -r l; do
		assert_match "$l" '^(\+ (zfs|zpool) |beadm: )' "stderr line"
	done <<<"$stderr"
	exists "$(ds NEW)" || fail "NEW not created"
	# a read-only command is traced too
	run --separate-stderr beadm -v list -H
	assert_status 0
	assert_match "$stderr" '^\+ zfs get ' "trace of list"
	# without -v nothing on stderr
	run --separate-stderr beadm create NEW2
	assert_status 0
	assert_eq "$stderr" "" "stderr without -v"
}

@test "-v -n: the plan on stdout, the reads traced on stderr" {
	run --separate-stderr beadm -v -n create NEW
	assert_status 0
	assert_contains "$output" "zfs clone" "plan"
	assert_match "$stderr" '^\+ zfs get ' "trace"
	assert_not_contains "$stderr" "+ zfs clone" "trace"
}
