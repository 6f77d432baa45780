#!/usr/bin/env bats
# create's channel program (lib/zfs/create.zcp, OpenZFS): the journal, the
# snapshots of the host BE and of every zone's ZBE, and the read of the
# source's locally set properties in one transaction group.  Its own tests
# run the program file itself (the library embeds that text) against the
# world's pool; zfs-fuse has no channel programs, so there they are skipped.
# beadm create through it is tested in create.bats, budgets.bats and the
# power-cut test (tests/openzfs/powercut).

load helpers

setup() {
	on_openzfs || skip "zfs-fuse has no channel programs"
	zbt_setup
	zfs set compression=lz4 "$(ds GBE1)/var"
	zfs set org.example:note="a b=c" "$(ds GBE1)"
	zfs create -o mountpoint=legacy "$POOL/other"
}

teardown() {
	on_openzfs || return 0
	zbt_teardown
}

program() { # ARG...: run create.zcp on the pool
	run --separate-stderr zfs program -j "$POOL" "$ZBT_SRC/lib/zfs/create.zcp" "$@"
}

# every dataset's snapshots, with their tags, and the journal: what a
# refused program must leave as it was
world() {
	zfs list -H -t all -o name,org.zbe:auto,org.zbe:op -r "$POOL"
	zfs get -H -o value "$JOURNAL_PROP" "$POOL/ROOT"
}

@test "create.zcp sets the journal and takes every snapshot in one transaction group, each tagged" {
	program journal-on="$POOL/ROOT" journal="op1 create NEW -" read="$(ds GBE1)" \
	    tag=org.zbe:auto=on tag=org.zbe:op=op1 \
	    snapshot="$(ds GBE1)@s" snapshot="$(ds GBE1)/var@s" snapshot="$POOL/other@s"
	assert_status 0
	assert_eq "$(zfs get -H -o value "$JOURNAL_PROP" "$POOL/ROOT")" "op1 create NEW -" "the journal"
	assert_eq "$(zfs get -H -o source "$JOURNAL_PROP" "$POOL/ROOT")" local "the journal's source"
	local s
	for s in "$(ds GBE1)@s" "$(ds GBE1)/var@s" "$POOL/other@s"; do
		assert_eq "$(zfs get -H -o value org.zbe:auto,org.zbe:op "$s" | paste -sd' ')" "on op1" "tags of $s"
	done
	assert_eq "$(zfs list -H -p -o createtxg "$(ds GBE1)@s" "$(ds GBE1)/var@s" "$POOL/other@s" | sort -u | wc -l)" 1 \
	    "distinct createtxg"
	# the read: what zfs get -r -s local says of the source, line for line
	local got want
	got=$(jq -r '.return.local' <<<"$output" | sort)
	want=$(zfs get -H -p -r -s local -o name,property,value all "$(ds GBE1)" | grep -v '@' | sort)
	assert_eq "$got" "$want" "the local properties read"
	assert_contains "$got" "$(ds GBE1)/var"$'\t'"compression"$'\t'"lz4"
	assert_contains "$got" "$(ds GBE1)"$'\t'"org.example:note"$'\t'"a b=c"
}

@test "create.zcp refuses a snapshot that exists and changes nothing" {
	zfs snapshot "$POOL/other@s"
	local before
	before=$(world)
	program journal-on="$POOL/ROOT" journal="op1 create NEW -" read="$(ds GBE1)" \
	    tag=org.zbe:auto=on tag=org.zbe:op=op1 \
	    snapshot="$(ds GBE1)@s" snapshot="$POOL/other@s"
	assert_status 0
	assert_contains "$output" "cannot snapshot $POOL/other@s"
	assert_same "$before" "$(world)" "the pool"
}

@test "create.zcp refuses a dataset that does not exist and changes nothing" {
	local before
	before=$(world)
	program journal-on="$POOL/ROOT" journal="op1 create NEW -" read="$(ds GBE1)" \
	    tag=org.zbe:op=op1 snapshot="$(ds GBE1)@s" snapshot="$POOL/nosuch@s"
	assert_status 0
	assert_contains "$output" "cannot snapshot $POOL/nosuch@s"
	assert_same "$before" "$(world)" "the pool"
}

@test "create.zcp refuses bad arguments and changes nothing" {
	local before
	before=$(world)
	program journal-on="$POOL/ROOT" journal="op1 create NEW -" bogus=1 snapshot="$(ds GBE1)@s"
	assert_status 0
	assert_contains "$output" "bad argument 'bogus=1'"
	program journal-on="$POOL/ROOT" journal="op1 create NEW -" tag=novalue snapshot="$(ds GBE1)@s"
	assert_contains "$output" "bad tag 'novalue'"
	program journal-on="$POOL/ROOT" read="$(ds GBE1)"
	assert_contains "$output" "journal-on, journal and a snapshot are required"
	assert_same "$before" "$(world)" "the pool"
}

@test "beadm create on OpenZFS runs create.zcp once and leaves no journal" {
	mkdir -p "$TMP/cbin"
	ln -sf "$ZBT_SRC/tests/integration/zfs-count-wrapper" "$TMP/cbin/zfs"
	ln -sf "$ZBT_SRC/tests/integration/zfs-count-wrapper" "$TMP/cbin/zpool"
	write_conf "zfs = $TMP/cbin/zfs" "zpool = $TMP/cbin/zpool"
	ZBE_REAL_ZFS=$(command -v zfs) ZBE_REAL_ZPOOL=$(command -v zpool) ZBE_COUNT_LOG=$TMP/calls
	export ZBE_REAL_ZFS ZBE_REAL_ZPOOL ZBE_COUNT_LOG
	: >"$ZBE_COUNT_LOG"
	run --separate-stderr beadm create NEW
	assert_status 0
	assert_eq "$(grep -c "^zfs"$'\t'"program -j $POOL .*/create.zcp " "$ZBE_COUNT_LOG")" 1 "create.zcp runs"
	assert_eq "$(grep -c "^zfs"$'\t'"snapshot " "$ZBE_COUNT_LOG")" 0 "zfs snapshot calls"
	assert_eq "$(zfs get -H -o value "$JOURNAL_PROP" "$POOL/ROOT")" - "the journal"
	# the clones carry what the program read
	assert_eq "$(zfs get -H -o value,source compression "$(ds NEW)/var")" "lz4"$'\t'"local" "NEW/var's compression"
	assert_eq "$(zfs get -H -o value,source org.example:note "$(ds NEW)")" "a b=c"$'\t'"local" "NEW's note"
}
