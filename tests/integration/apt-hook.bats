#!/usr/bin/env bats
# zbe-apt-hook, driven the way apt drives a DPkg::Pre-Install-Pkgs hook:
# through "sh -c", from a front-end process (here timeout(1), which stands
# for apt: the transaction is keyed on it), the package list on stdin in
# protocol version 3.  The hook runs the build's beadm (ZBE_BEADM).

load helpers

HOOK=${ZBE_APT_HOOK:-$ZBT_CMD/zbe-apt-hook/zbe-apt-hook}
POLICY_PROP=org.opensolaris.libbe:policy
TXN_PROP=org.zbe:apt-txn

setup() {
	zbt_setup
	[ -x "$HOOK" ] || fail "no zbe-apt-hook at $HOOK: build first (tests/run)"
	write_conf "apt_snapshot = on"
	export ZBE_BEADM=$BEADM
	# what apt writes: VERSION 3, its configuration, an empty line, the packages
	cat >"$TMP/pkgs" <<-'PKGS'
	VERSION 3
	APT::Architecture=amd64
	DPkg::Tools::Options::/usr/libexec/zbe/zbe-apt-hook::Version=3

	hello - - none < 2.10-3 amd64 same /var/cache/apt/archives/hello_2.10-3_amd64.deb
	libfoo1:amd64 1.0-1 amd64 same < 1.1-1 amd64 same /var/cache/apt/archives/libfoo1_1.1-1_amd64.deb
	oldtool 0.9 amd64 none > - - none **REMOVE**
	hello - - none < 2.10-3 amd64 same **CONFIGURE**
	PKGS
}

# One apt transaction running the hook N times (unattended-upgrade runs
# dpkg, and so the hook, several times from one process).
apt_transaction() { # [N]
	local n=${1:-1} script='"$0" <"$1"' i
	for ((i = 1; i < n; i++)); do script="$script; \"\$0\" <\"\$1\""; done
	timeout 120 sh -c "$script" "$HOOK" "$TMP/pkgs"
}

# BEs below ROOT whose name starts with apt-
apt_bes() {
	zfs list -H -o name -d 1 "$POOL/ROOT" | sed -n "s|^$POOL/ROOT/\(apt-.*\)|\1|p" | sort
}

@test "the hook makes one automatic BE of the running one, described by the packages" {
	run --separate-stderr apt_transaction
	assert_status 0
	assert_eq "$stderr" "" stderr
	local be
	be=$(apt_bes)
	assert_match "$be" '^apt-[0-9]{8}-[0-9]{6}$' "the new BE"
	assert_contains "$output" "boot environment $be made"
	assert_eq "$(prop "$(ds "$be")" $POLICY_PROP)" auto policy
	assert_eq "$(prop "$(ds "$be")" $DESC_PROP)" "apt: hello libfoo1:amd64 oldtool" description
	assert_match "$(prop "$(ds "$be")" $TXN_PROP)" '^[0-9]+:[0-9]+$' "transaction key"
	assert_match "$(prop "$(ds "$be")" origin)" "^$GBE1@" "origin"
	run --separate-stderr beadm list -H
	assert_match "$output" "(^|"$'\n'")$be;[^;]*;-;;[0-9]+;auto;[0-9]+"
}

@test "one transaction, several dpkg runs: one BE; the next transaction makes its own" {
	run --separate-stderr apt_transaction 3
	assert_status 0
	assert_eq "$(apt_bes | wc -l)" 1 "BEs after one transaction"
	run --separate-stderr apt_transaction
	assert_status 0
	assert_eq "$(apt_bes | wc -l)" 2 "BEs after two transactions"
	local keys
	keys=$(for b in $(apt_bes); do prop "$(ds "$b")" $TXN_PROP; done | sort -u | wc -l)
	assert_eq "$keys" 2 "distinct transaction keys"
}

@test "after making its BE the hook prunes: keep applies" {
	write_conf "apt_snapshot = on" "keep = 1" "min_free = 0"
	beadm create -o "$POLICY_PROP=auto" older
	run --separate-stderr apt_transaction
	assert_status 0
	exists "$(ds older)" && fail "the older automatic BE is still there"
	assert_eq "$(apt_bes | wc -l)" 1 "apt BEs"
}

@test "apt_snapshot off (the default): the hook does nothing and says nothing" {
	write_conf
	local before
	before=$(state)
	run --separate-stderr apt_transaction
	assert_status 0
	assert_eq "$output" "" stdout
	assert_eq "$stderr" "" stderr
	assert_same "$before" "$(state)"
}

@test "a root that is not a boot environment: one line, exit 0, apt goes on" {
	mkdir -p "$TMP/plain"
	write_conf "system_root = $TMP/plain" "apt_snapshot = on"
	local before
	before=$(state)
	run --separate-stderr apt_transaction
	assert_status 0
	assert_eq "$(printf '%s\n' "$stderr" | grep -c .)" 1 "stderr lines"
	assert_match "$stderr" "^zbe-apt-hook: warning: .*no ZFS boot environment is mounted there"
	assert_eq "$output" "" stdout
	assert_same "$before" "$(state)"
}

@test "a failing beadm is one warning and exit 0, and leaves nothing behind" {
	write_conf "apt_snapshot = on" "zfs = $FAIL_WRAPPER"
	export ZBE_FAIL_COUNTER=$TMP/count ZBE_FAIL_AT=1
	local before
	before=$(state)
	run --separate-stderr apt_transaction
	assert_status 0
	assert_eq "$(printf '%s\n' "$stderr" | grep -c .)" 1 "stderr lines"
	assert_match "$stderr" "^zbe-apt-hook: warning: no boot environment before this apt run: .*; apt goes on$"
	assert_eq "$(apt_bes)" "" "apt BEs"
	assert_same "$before" "$(state)"
}

@test "a beadm that cannot run, or a broken zbe.conf: one warning, exit 0" {
	ZBE_BEADM=/nonexistent/beadm run --separate-stderr apt_transaction
	assert_status 0
	assert_eq "$(printf '%s\n' "$stderr" | grep -c .)" 1 "stderr lines"
	assert_contains "$stderr" "zbe-apt-hook: warning: "
	echo "apt_snapshot = maybe" >>"$TMP/zbe.conf"
	run --separate-stderr apt_transaction
	assert_status 0
	assert_eq "$(printf '%s\n' "$stderr" | grep -c .)" 1 "stderr lines"
	assert_contains "$stderr" "apt_snapshot: 'maybe' is not on or off"
	assert_eq "$(apt_bes)" "" "apt BEs"
}

@test "a beadm that hangs is stopped after apt_timeout seconds: one warning, exit 0" {
	write_conf "apt_snapshot = on" "apt_timeout = 2"
	printf '#!/bin/sh\nsleep 300\n' >"$TMP/hanging-beadm"
	chmod +x "$TMP/hanging-beadm"
	local t0=$SECONDS
	ZBE_BEADM=$TMP/hanging-beadm run --separate-stderr apt_transaction
	assert_status 0
	[ $((SECONDS - t0)) -lt 15 ] || fail "the hook took $((SECONDS - t0)) s"
	assert_eq "$(printf '%s\n' "$stderr" | grep -c .)" 1 "stderr lines"
	assert_contains "$stderr" "zbe-apt-hook: warning: no boot environment before this apt run: no answer in time"
	[ -z "$(pgrep -f "$TMP/hanging-beadm")" ] || fail "the hanging beadm is still running"
}
