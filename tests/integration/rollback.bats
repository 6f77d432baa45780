#!/usr/bin/env bats
# beadm rollback BE snap | BE@snap

load helpers

@test "rollback BE snap: a file written after the snapshot disappears" {
	beadm create A
	be_write A var/old old
	be_write A top old
	beadm create A@s1
	be_write A var/new new
	be_write A top changed
	run --separate-stderr beadm rollback A s1
	assert_status 0
	assert_eq "$(be_read A var/new)" MISSING "var/new after rollback"
	assert_eq "$(be_read A var/old)" old "var/old after rollback"
	assert_eq "$(be_read A top)" old "top after rollback"
	exists "$(ds A)@s1" || fail "snapshot gone"
	assert_eq "$(pool_mounts | grep -c /ROOT/A)" 0 "mounts of A"
}

@test "rollback BE@snap form" {
	beadm create A
	beadm create A@s1
	be_write A var/new new
	be_write A top new
	run --separate-stderr beadm rollback A@s1
	assert_status 0
	assert_eq "$(be_read A var/new)" MISSING "var/new after rollback"
	assert_eq "$(be_read A top)" MISSING "top after rollback"
}

@test "rollback to an older snapshot is refused while a newer one exists" {
	beadm create A
	beadm create A@s1
	be_write A f 1
	beadm create A@s2
	be_write A f 2
	local before
	before=$(state)
	run --separate-stderr beadm rollback A s1
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	assert_same "$before" "$(state)"
	assert_eq "$(be_read A f)" 2 "data"
	run beadm rollback A s2
	assert_status 0
	assert_eq "$(be_read A f)" 1 "data after rollback to s2"
}

@test "rollback refusals: running BE, missing snapshot, missing BE" {
	beadm create GBE1@s1
	beadm create A
	local before
	before=$(state)
	run --separate-stderr beadm rollback GBE1 s1
	assert_status 1
	assert_match "$stderr" '^beadm: .*GBE1' stderr
	run --separate-stderr beadm rollback A nope
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	run --separate-stderr beadm rollback NOPE@s1
	assert_status 1
	assert_match "$stderr" '^beadm: .*NOPE' stderr
	assert_same "$before" "$(state)"
}
