#!/usr/bin/env bats
# Usage errors: exit 2, a usage text on stderr, nothing changed.

load helpers

# usage_error SUB ARGS...: beadm ARGS must exit 2 and print the usage of SUB
# (or the general usage when SUB is "-").
usage_error() {
	local sub=$1
	shift
	[ -n "${REF_STATE-}" ] || REF_STATE=$(state)
	run --separate-stderr beadm "$@"
	if [ "$status" -ne 2 ]; then
		fail "beadm $(printf '[%s] ' "$@"): exit $status, expected 2
stdout: $output
stderr: $stderr"
	fi
	assert_contains "$stderr" "usage:" "stderr of beadm $*"
	if [ "$sub" = - ]; then
		assert_contains "$stderr" "beadm create" "stderr of beadm $*"
		assert_contains "$stderr" "beadm list" "stderr of beadm $*"
	else
		assert_contains "$stderr" "beadm $sub" "stderr of beadm $*"
	fi
	assert_eq "$output" "" "stdout of beadm $*"
	assert_same "$REF_STATE" "$(state)" "state after beadm $*"
}

@test "no subcommand, unknown subcommand, unknown global option" {
	usage_error -
	usage_error - frobnicate
	usage_error - -q list
	usage_error - -z
	usage_error - -v
	usage_error - -n
}

@test "create usage errors" {
	usage_error create create
	usage_error create create -q NEW
	usage_error create create -d
	usage_error create create -e
	usage_error create create -o
	usage_error create create A B
	usage_error create create -a GBE1@snap
	usage_error create create -d x GBE1@snap
	usage_error create create -e GBE1 GBE1@snap
	exists "$GBE1@snap" && fail "snapshot made"
	true
}

@test "destroy usage errors" {
	usage_error destroy destroy
	usage_error destroy destroy -q GBE1
	usage_error destroy destroy A B
}

@test "activate, rename, mount, unmount usage errors" {
	usage_error activate activate
	usage_error activate activate A B
	usage_error activate activate -f A
	usage_error rename rename
	usage_error rename rename A
	usage_error rename rename A B C
	usage_error mount mount
	usage_error mount mount A /a /b
	usage_error mount mount -x A
	usage_error unmount unmount
	usage_error unmount unmount A B
	usage_error unmount unmount -x A
	usage_error unmount umount
}

@test "prune usage errors" {
	usage_error prune prune extra
	usage_error prune prune -x
	usage_error prune prune -n GBE1
}

@test "check usage errors" {
	usage_error check check extra
	usage_error check check -x
	usage_error check check -r GBE1
}

@test "rollback and list usage errors" {
	usage_error rollback rollback
	usage_error rollback rollback GBE1
	usage_error rollback rollback GBE1 s t
	usage_error rollback rollback -x GBE1@s
	usage_error list list -H -j
	usage_error list list -a -d
	usage_error list list -a -s
	usage_error list list A B
	usage_error list list -q
}

@test "-h and -V print to stdout and exit 0" {
	run --separate-stderr beadm -h
	assert_status 0
	assert_contains "$output" "usage:"
	run --separate-stderr beadm -V
	assert_status 0
	assert_match "$output" '^beadm \(zbe\) [0-9]' version
}

@test "a bad configuration file is an error (exit 1) naming the file" {
	echo "bogus_key = 1" >>"$ZBE_CONF"
	run --separate-stderr beadm list
	assert_status 1
	assert_match "$stderr" "^beadm: $ZBE_CONF:[0-9]+: " stderr
	ZBE_CONF=$TMP/missing.conf run --separate-stderr beadm list
	assert_status 1
	assert_match "$stderr" "^beadm: $TMP/missing.conf" stderr
}
