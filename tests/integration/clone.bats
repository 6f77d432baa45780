#!/usr/bin/env bats
# zoneadm -z NEW clone [-s ZBE@snapshot] SOURCE: NEW's ZBE1 is a ZFS clone
# of SOURCE's active ZBE (or of a snapshot), with NEW's own ids and tags;
# refusals change nothing; a failure half-way leaves nothing.
# Needs lxc and a zfs-fuse daemon (zone_setup in helpers.bash).

load helpers

setup() {
	zone_setup
}

teardown() {
	if [ -n "${POOL2-}" ] && zpool list "$POOL2" >/dev/null 2>&1; then
		zpool destroy -f "$POOL2" || true
	fi
	zone_teardown
}

id_base() {
	zonecfg -z "$1" info | awk '$1 == "id-base:" { print $2 }'
}

# What a refused clone must leave as it was: datasets, properties, mounts,
# zone states.
world() {
	state
	"$ZONEADM" list -cp </dev/null 3>&- 2>&1
}

# z1 installed, with a file its root wrote, then halted.
source_zone() {
	zone_install z1
	zone_boot z1
	zlogin z1 sh -c 'echo from-z1 >/etc/marker' || fail "zlogin z1 failed"
	zoneadm -z z1 halt || fail "zoneadm -z z1 halt failed"
}

@test "clone: NEW's ZBE1 is a clone of SOURCE's active ZBE, tagged for the running host BE, with NEW's ids" {
	source_zone
	zonecfg -z z2 create -p zonepath="$ZONES/z2" || fail "zonecfg -z z2 create failed"
	run --separate-stderr zoneadm -z z2 clone z1
	assert_status 0
	assert_eq "$(zone_state z2)" installed "z2's state"
	local zbe1 origin
	zbe1=$(zds z2 ZBE1)
	origin=$(zfs get -H -o value origin "$zbe1")
	assert_match "$origin" "^$(zds z1 ZBE1)@clone-z2-" "origin of z2's ZBE1"
	assert_eq "$(zfs get -H -o value org.zbe:clone-snapshot "$(zds z2)")" "$origin" "z2 names its snapshot"
	assert_eq "$(zfs get -H -o value "$PARENTBE_PROP" "$zbe1")" "$GBE1_UUID" "parentbe of z2's ZBE1"
	assert_eq "$(zfs get -H -o value "$ACTIVE_PROP" "$zbe1")" on "active of z2's ZBE1"
	assert_eq "$(zfs get -H -o value mountpoint "$zbe1")" legacy "mountpoint of z2's ZBE1"
	assert_eq "$(zfs get -H -o value org.zbe:zonestate "$(zds z2)")" - "z2 is complete"
	# the files are z2's ids now, z1's stay z1's
	zone_boot z2
	assert_eq "$(zlogin z2 cat /etc/marker)" from-z1 "z1's file in z2"
	assert_eq "$(zlogin z2 hostname)" z2 "z2's hostname"
	local b2
	b2=$(id_base z2)
	assert_eq "$(stat -c %u "$ZONES/z2/root/etc/marker")" "$b2" "host owner of the file in z2"
	assert_eq "$(zlogin z2 stat -c %u /etc/marker)" 0 "owner of the file inside z2"
	assert_eq "$(zlogin z2 cat /proc/self/uid_map | xargs)" "0 $b2 65536" "z2's uid_map"
	zone_boot z1
	assert_eq "$(stat -c %u "$ZONES/z1/root/etc/marker")" "$(id_base z1)" "host owner of the file in z1"
	# writes in one do not show in the other
	zlogin z2 sh -c 'echo z2 >/etc/marker'
	assert_eq "$(zlogin z1 cat /etc/marker)" from-z1 "z1's file after z2 wrote its own"
}

@test "clone of a running SOURCE is refused without -s and changes nothing; -s ZBE@snap clones the snapshot" {
	zone_install z1
	zone_boot z1
	zonecfg -z z2 create -p zonepath="$ZONES/z2" || fail "zonecfg -z z2 create failed"
	local before
	before=$(world)
	run --separate-stderr zoneadm -z z2 clone z1
	assert_status 1
	assert_match "$stderr" "^zoneadm: z1: zone is running: halt it first, or clone a snapshot" "message"
	assert_same "$before" "$(world)" "the world after the refusal"
	zlogin z1 sh -c 'echo before-snap >/etc/marker'
	zlogin z1 sync
	beadm -z z1 create ZBE1@golden || fail "beadm -z z1 create ZBE1@golden failed"
	zlogin z1 sh -c 'echo after-snap >/etc/marker'
	run --separate-stderr zoneadm -z z2 clone -s ZBE1@golden z1
	assert_status 0
	assert_eq "$(zfs get -H -o value origin "$(zds z2 ZBE1)")" "$(zds z1 ZBE1)@golden" "origin of z2's ZBE1"
	zone_boot z2
	assert_eq "$(zlogin z2 cat /etc/marker)" before-snap "z2 has the snapshot's file"
}

@test "clone refuses bad input with a clear message and changes nothing" {
	source_zone
	zonecfg -z z2 create -p zonepath="$ZONES/z2" || fail "zonecfg -z z2 create failed"
	zonecfg -z z3 create -p zonepath="$ZONES/z3" || fail "zonecfg -z z3 create failed"
	zone_install z4
	local before
	before=$(world)
	check() { # status stderr-ERE args...
		local want=$1 re=$2
		shift 2
		run --separate-stderr zoneadm "$@"
		assert_status "$want"
		assert_match "$stderr" "$re" "zoneadm $*"
		assert_same "$before" "$(world)" "the world after zoneadm $*"
	}
	check 1 "^zoneadm: z2: a zone cannot be cloned from itself" -z z2 clone z2
	check 1 "^zoneadm: nosuch: no such zone configured" -z z2 clone nosuch
	check 1 "^zoneadm: z3: zone is not installed" -z z2 clone z3
	check 1 "^zoneadm: z4: zone already installed" -z z4 clone z1
	check 1 "^zoneadm: ZBE1@nosuch: no such snapshot in zone z1" -z z2 clone -s ZBE1@nosuch z1
	check 1 "^zoneadm: ZBE1: expected ZBE@snapshot" -z z2 clone -s ZBE1 z1
	check 1 "^zoneadm: ../x@s: invalid zone boot environment or snapshot name" -z z2 clone -s ../x@s z1
	check 1 "^zoneadm: b@d: invalid zone name" -z z2 clone b@d
	check 2 "^usage:" -z z2 clone
	check 2 "^usage:" -z z2 clone z1 extra
}

@test "clone into a zonepath of another pool is refused: a clone stays in its pool" {
	source_zone
	POOL2=${POOL}_b
	truncate -s 256M "$TMP/disk2"
	zpool create -o cachefile=none -m none "$POOL2" "$TMP/disk2" >/dev/null 2>&1 || fail "zpool create $POOL2 failed"
	mkdir -p "$TMP/zones2"
	zfs create -o mountpoint="$TMP/zones2" "$POOL2/zones"
	zonecfg -z z2 create -p zonepath="$TMP/zones2/z2" || fail "zonecfg -z z2 create failed"
	run --separate-stderr zoneadm -z z2 clone z1
	assert_status 1
	assert_match "$stderr" "^zoneadm: z2: its zonepath dataset $POOL2/zones/z2 is not in the pool of z1's .*a ZFS clone stays in its pool" "message"
	assert_eq "$(zfs list -H -o name -r "$POOL2" | xargs)" "$POOL2 $POOL2/zones" "$POOL2 after the refusal"
	zfs unmount "$POOL2/zones" 2>/dev/null || true
	zpool destroy -f "$POOL2"
}

@test "a clone that fails at any zfs step leaves nothing: no dataset, snapshot or mount" {
	source_zone
	zonecfg -z z2 create -p zonepath="$ZONES/z2" || fail "zonecfg -z z2 create failed"
	write_conf "subuid_file = $TMP/subuid" "subgid_file = $TMP/subgid" "zfs = $FAIL_WRAPPER"
	export ZBE_FAIL_COUNTER=$TMP/count ZBE_FAIL_LOG=$TMP/zfs.log
	local before n k
	before=$(world)
	: >"$TMP/count"
	ZBE_FAIL_AT=0 zoneadm -z z2 clone z1 || fail "the counting run failed"
	k=$(cat "$TMP/count")
	# at least snapshot, clone and inherit (zfs-fuse mounts with zfs too;
	# OpenZFS with mount(2), not counted)
	[ "$k" -ge 3 ] || fail "only $k mutating zfs calls counted"
	zoneadm -z z2 uninstall -F || fail "uninstall after the counting run failed"
	# the uninstall took the snapshot clone made along
	assert_same "$before" "$(world)" "the world after the counting run and its uninstall"
	for n in $(seq 1 "$k"); do
		: >"$TMP/count"
		ZBE_FAIL_AT=$n run --separate-stderr zoneadm -z z2 clone z1
		assert_status 1
		assert_same "$before" "$(world)" "the world after a failure at mutating call $n of $k"
	done
}

@test "a clone killed half-way: NEW does not boot; the next clone undoes it (its snapshot too) and clones; uninstall takes the snapshot" {
	source_zone
	zonecfg -z z2 create -p zonepath="$ZONES/z2" || fail "zonecfg -z z2 create failed"
	write_conf "subuid_file = $TMP/subuid" "subgid_file = $TMP/subgid" "zfs = $KILL_WRAPPER"
	export ZBE_KILL_COUNTER=$TMP/count ZBE_KILL_LOG=$TMP/zfs.log ZBE_KILL_AT=0 ZBE_KILL_SIGNAL=KILL
	rm -f "$TMP/count" "$TMP/zfs.log"
	# the mutating call that makes ZBE1, from a probe
	"$ZONEADM" -z z2 clone z1 </dev/null || fail "probe clone failed"
	local made
	made=$(grep -n $'\tclone .*/rpool/ZBE1$' "$TMP/zfs.log" | cut -d: -f1)
	[ -n "$made" ] || fail "probe clone: calls $(cat "$TMP/zfs.log")"
	zoneadm -z z2 uninstall -F || fail "probe uninstall failed"
	rm -f "$TMP/count"
	ZBE_KILL_AT=$made run --separate-stderr "$ZONEADM" -z z2 clone z1 </dev/null
	[ "$status" -eq 137 ] || fail "clone killed after call $made: exit $status; $stderr"
	assert_eq "$(zone_state z2)" incomplete "z2 after the kill"
	run zoneadm -z z2 boot
	assert_status 1
	assert_contains "$output" "zone is incomplete"
	sleep 1 # the next snapshot's name has the time to the second
	run --separate-stderr "$ZONEADM" -z z2 clone z1 </dev/null
	assert_status 0
	assert_contains "$stderr" "an interrupted install or clone was undone"
	assert_eq "$(zone_state z2)" installed "z2 after the second clone"
	# the undo took the killed run's snapshot too; the one left backs z2
	clone_snaps() { zfs list -H -t snapshot -o name -r "$(zds z1)" | grep -c '@clone-z2-'; }
	assert_eq "$(clone_snaps)" 1 "clone snapshots of z1 after the second clone"
	run --separate-stderr beadm -z z1 check
	assert_status 0
	zone_boot z2
	zoneadm -z z2 halt || fail "zoneadm -z z2 halt failed"
	zoneadm -z z2 uninstall -F || fail "zoneadm -z z2 uninstall failed"
	assert_eq "$(clone_snaps)" 0 "clone snapshots of z1 after z2's uninstall"
}
