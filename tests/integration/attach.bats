#!/usr/bin/env bats
# zoneadm detach, attach [-x ...] and move, and the migration of a zone to
# another pool (detach, zfs send -R, zfs recv, attach) with its BE history.
# Refusals change nothing; a command killed half-way leaves a zone that
# does not boot until the same command, run again, finishes it.
# Needs lxc and a zfs-fuse daemon (zone_setup in helpers.bash).

load helpers

setup() {
	zone_setup
}

# The second pool (migration) goes first: zone_teardown removes $TMP,
# which it is mounted in; its zones are halted before.
teardown() {
	local rc=0 z
	if [ -n "${POOL2-}" ] && zpool list "$POOL2" >/dev/null 2>&1; then
		for z in $(lxc-ls -P "$TMP/run/lxc" --running 2>/dev/null); do
			timeout 60 "$ZONEADM" -z "$z" halt </dev/null >/dev/null 2>&1 3>&- || true
		done
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			zpool destroy -f "$POOL2" >/dev/null 2>&1 && break
			sleep 0.3
		done
		zpool list "$POOL2" >/dev/null 2>&1 && rc=1
	fi
	zone_teardown || rc=1
	return $rc
}

# The dataset mounted at <zonepath>/root.
root_ds_at() { # zonepath
	awk -v t="$1/root" '
	    $5 == t { for (i = 7; $i != "-"; i++) ; d = $(i + 2) }
	    END { if (d != "") print d }' /proc/self/mountinfo
}

FOREIGN_UUID=00000000-0000-4000-8000-00000000beef

# What a refusal must leave as it was: datasets, properties, mounts, zone
# states and configurations.
world() {
	state
	zfs get -H -r -o name,property,value,source \
	    "$PARENTBE_PROP,org.zbe:zonestate,org.zbe:move-to,org.zbe:last-booted" "$POOL" | sort
	"$ZONEADM" list -cp </dev/null 3>&- 2>&1
	cat "$TMP"/root/etc/zbe/zones/*.conf 2>/dev/null
}

# The zone's BEs as beadm -z lists them: name, host BE (uuid), flags, policy.
zbes() {
	beadm -z "$1" list -H | awk -F';' '{ print $1 ";" $2 ";" $3 ";" $6 }'
}

zprop() { # zone ZBE property
	zfs get -H -o value "$3" "$(zds "$1" "$2")"
}

# z1 installed, booted once on ZBE1, with a ZBE2 it never booted, halted.
two_zbes() {
	zone_install z1
	zone_boot z1
	zlogin z1 sh -c 'echo zbe1 >/etc/marker' || fail "zlogin z1 failed"
	zoneadm -z z1 halt || fail "halt failed"
	beadm -z z1 create ZBE2 || fail "beadm -z z1 create ZBE2 failed"
}

@test "detach: the datasets stay, the zone lists as configured and does not boot; attach gives it back" {
	zone_install z1
	zone_boot z1
	assert_eq "$(zfs get -H -o value org.zbe:last-booted "$(zds z1)/rpool")" ZBE1 "boot records the ZBE it booted"
	zoneadm -z z1 halt || fail "halt failed"
	local before
	before=$(zfs list -H -o name -r "$(zds z1)")
	run --separate-stderr zoneadm -z z1 detach
	assert_status 0
	assert_eq "$(zone_state z1)" configured "state after detach"
	assert_eq "$(zfs get -H -o value org.zbe:zonestate "$(zds z1)")" detached "the mark"
	assert_same "$before" "$(zfs list -H -o name -r "$(zds z1)")" "the datasets after detach"
	run --separate-stderr zoneadm -z z1 boot
	assert_status 1
	assert_eq "$stderr" "zoneadm: z1: zone is detached: zoneadm -z z1 attach" "boot of a detached zone"
	run --separate-stderr zoneadm -z z1 detach
	assert_status 1
	assert_match "$stderr" "^zoneadm: z1: zone is already detached" "a second detach"
	run --separate-stderr zoneadm -z z1 attach
	assert_status 0
	assert_eq "$stderr" "" "attach of a zone with its ZBE for the running host BE says nothing"
	assert_eq "$(zone_state z1)" installed "state after attach"
	assert_eq "$(zfs get -H -o value org.zbe:zonestate "$(zds z1)")" - "the mark is cleared"
	zone_boot z1
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "z1 boots ZBE1"
	assert_eq "$(zlogin z1 hostname)" z1 "z1 runs"
}

@test "detach and attach refuse bad input and change nothing" {
	zone_install z1
	zonecfg -z z2 create -p zonepath="$ZONES/z2" || fail "zonecfg -z z2 create failed"
	zone_boot z1
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
	check 1 "^zoneadm: z1: zone is running: halt it first" -z z1 detach
	check 1 "^zoneadm: z1: zone is attached already" -z z1 attach
	check 1 "^zoneadm: nosuch: no such zone configured" -z nosuch detach
	check 1 "^zoneadm: nosuch: no such zone configured" -z nosuch attach
	check 1 "^zoneadm: z2: zone is not installed" -z z2 detach
	check 1 "^zoneadm: z2: no zone at $ZONES/z2 \\(no dataset $POOL/zones/z2/rpool\\)" -z z2 attach
	check 1 "^zoneadm: z1: attach -x force-zbe-clone: not supported" -z z1 attach -x force-zbe-clone
	check 2 "unknown option" -z z1 attach -x nosuch
	check 2 "^usage:" -z z1 attach extra
	check 2 "^usage:" -z z1 detach extra
	check 2 "^usage:" detach
	zoneadm -z z1 halt || fail "halt failed"
	zoneadm -z z1 ready || fail "ready failed"
	before=$(world)
	check 1 "^zoneadm: z1: zone is ready \\(its root is mounted\\): halt it first" -z z1 detach
}

@test "attach keeps the ZBE active for the running host BE; -x attach-last-booted-zbe takes the last booted one" {
	two_zbes
	beadm -z z1 activate ZBE2 || fail "beadm -z z1 activate ZBE2 failed"
	zoneadm -z z1 detach || fail "detach failed"
	run --separate-stderr zoneadm -z z1 attach -x deny-zbe-clone
	assert_status 0
	assert_eq "$(zprop z1 ZBE2 "$ACTIVE_PROP")" on "ZBE2 stays active"
	assert_eq "$(zprop z1 ZBE1 "$ACTIVE_PROP")" off "ZBE1 stays off"
	zoneadm -z z1 detach || fail "detach failed"
	run --separate-stderr zoneadm -z z1 attach -x attach-last-booted-zbe
	assert_status 0
	assert_eq "$(zprop z1 ZBE1 "$ACTIVE_PROP")" on "ZBE1, the last booted, is active"
	assert_eq "$(zprop z1 ZBE1 "$PARENTBE_PROP")" "$GBE1_UUID" "ZBE1 is GBE1's"
	assert_eq "$(zprop z1 ZBE2 "$ACTIVE_PROP")" off "ZBE2 is switched off"
	zone_boot z1
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "z1 boots ZBE1"
	assert_eq "$(zlogin z1 cat /etc/marker)" zbe1 "ZBE1's file"
}

@test "attach: no ZBE of the running host BE: the last booted one is re-tagged; orphans are flagged O and kept, or destroyed with -x destroy-orphan-zbes" {
	two_zbes
	# a host BE of this host, with a ZBE of z1's (not an orphan)
	beadm create GBE2 || fail "beadm create GBE2 failed"
	local gbe2_uuid own
	gbe2_uuid=$(prop "$(ds GBE2)" "$UUID_PROP")
	own=$(beadm -z z1 list -H | awk -F';' -v u="$gbe2_uuid" '$2 == u { print $1 }')
	[ -n "$own" ] || fail "no ZBE of GBE2: $(beadm -z z1 list -H)"
	# ZBE1 and ZBE2 as they come from another host: of host BEs not here
	zoneadm -z z1 detach || fail "detach failed"
	zfs set "$PARENTBE_PROP=$FOREIGN_UUID" "$(zds z1 ZBE1)"
	zfs set "$PARENTBE_PROP=$FOREIGN_UUID" "$(zds z1 ZBE2)"
	run --separate-stderr beadm -z z1 list
	assert_status 0
	assert_match "$(grep '^ZBE1 ' <<<"$output")" "^ZBE1 +!O " "ZBE1 is flagged an orphan"
	assert_match "$(grep "^$own " <<<"$output")" "^$own +! " "$own (GBE2's) is no orphan"
	run --separate-stderr zoneadm -z z1 attach
	assert_status 0
	assert_eq "$stderr" "zoneadm: warning: z1: orphan zone boot environments (of no host boot environment here) kept: ZBE2; zoneadm -z z1 attach -x destroy-orphan-zbes destroys them" "attach names the orphans"
	assert_eq "$(zprop z1 ZBE1 "$PARENTBE_PROP")" "$GBE1_UUID" "ZBE1 (the last booted) is re-tagged for GBE1"
	assert_eq "$(zprop z1 ZBE1 "$ACTIVE_PROP")" on "ZBE1 is active"
	assert_eq "$(zprop z1 ZBE2 "$PARENTBE_PROP")" "$FOREIGN_UUID" "ZBE2 keeps its tag"
	run --separate-stderr beadm -z z1 list
	assert_match "$(grep '^ZBE1 ' <<<"$output")" "^ZBE1 +R " "ZBE1 boots next"
	assert_match "$(grep '^ZBE2 ' <<<"$output")" "^ZBE2 +!O " "ZBE2 is still an orphan"
	run --separate-stderr beadm -z z1 list -j
	assert_contains "$output" '"orphan":true' "the JSON names orphans"
	zone_boot z1
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "z1 boots ZBE1"
	zoneadm -z z1 halt || fail "halt failed"
	zoneadm -z z1 detach || fail "detach failed"
	run --separate-stderr zoneadm -z z1 attach -x destroy-orphan-zbes
	assert_status 0
	assert_eq "$stderr" "" "nothing to say"
	exists "$(zds z1 ZBE2)" && fail "the orphan ZBE2 is still there"
	exists "$(zds z1 "$own")" || fail "GBE2's $own was destroyed"
	exists "$(zds z1 ZBE1)" || fail "ZBE1 was destroyed"
	zone_boot z1
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "z1 boots ZBE1"
}

@test "an attach killed after any of its zfs calls leaves the zone detached; the next attach finishes it the same way" {
	two_zbes
	zoneadm -z z1 detach || fail "detach failed"
	zfs set "$PARENTBE_PROP=$FOREIGN_UUID" "$(zds z1 ZBE1)"
	zfs set "$PARENTBE_PROP=$FOREIGN_UUID" "$(zds z1 ZBE2)"
	zfs snapshot -r "$(zds z1)@start"
	write_conf "subuid_file = $TMP/subuid" "subgid_file = $TMP/subgid" "zfs = $KILL_WRAPPER"
	export ZBE_KILL_COUNTER=$TMP/count ZBE_KILL_LOG=$TMP/zfs.log ZBE_KILL_AT=0
	rm -f "$TMP/count"
	"$ZONEADM" -z z1 attach -x destroy-orphan-zbes </dev/null 2>/dev/null || fail "probe attach failed"
	local K after n
	K=$(cat "$TMP/count")
	[ "$K" -ge 3 ] || fail "probe attach: $(cat "$TMP/zfs.log")"
	after=$(zbes z1)
	for n in $(seq 1 $((K - 1))); do
		# back to the start: ZBE2 again, the tags of another host, detached
		exists "$(zds z1 ZBE2)" || zfs clone "$(zds z1 ZBE1)@start" "$(zds z1 ZBE2)"
		zfs set "$PARENTBE_PROP=$FOREIGN_UUID" "$(zds z1 ZBE1)"
		zfs set "$PARENTBE_PROP=$FOREIGN_UUID" "$(zds z1 ZBE2)"
		zfs set "$ACTIVE_PROP=off" "$(zds z1 ZBE1)"
		zfs set org.zbe:zonestate=detached "$(zds z1)"
		rm -f "$TMP/count"
		ZBE_KILL_AT=$n run --separate-stderr "$ZONEADM" -z z1 attach -x destroy-orphan-zbes </dev/null
		[ "$status" -eq 137 ] || fail "attach killed after call $n: exit $status; $stderr"
		assert_eq "$(zone_state z1)" configured "state after the kill (call $n)"
		run zoneadm -z z1 boot
		assert_status 1
		rm -f "$TMP/count"
		run --separate-stderr "$ZONEADM" -z z1 attach -x destroy-orphan-zbes </dev/null
		assert_status 0
		assert_eq "$(zone_state z1)" installed "after the second attach (call $n)"
		assert_same "$after" "$(zbes z1)" "the ZBEs after the second attach (call $n)"
	done
}

@test "move: on one pool the zonepath dataset is renamed; the zone boots at its new path with its ZBEs" {
	two_zbes
	mkdir -p "$TMP/root/zonesB"
	zfs create -o mountpoint=/zonesB "$POOL/zonesB"
	local before
	before=$(zbes z1)
	run --separate-stderr zoneadm -z z1 move "$TMP/root/zonesB/z1/"
	assert_status 0
	exists "$POOL/zones/z1" && fail "the old dataset is still there"
	exists "$POOL/zonesB/z1/rpool/ZBE2" || fail "no $POOL/zonesB/z1/rpool/ZBE2"
	[ -e "$ZONES/z1" ] && fail "the old zonepath is still there"
	assert_eq "$(zonecfg -z z1 info | awk '$1 == "zonepath:" { print $2 }')" "$TMP/root/zonesB/z1" "the configuration"
	assert_eq "$(zfs get -H -o value org.zbe:move-to "$POOL/zonesB/z1")" - "the move's mark is cleared"
	assert_same "$before" "$(zbes z1)" "the ZBEs after the move"
	zone_boot z1
	assert_eq "$(root_ds_at "$TMP/root/zonesB/z1")" "$POOL/zonesB/z1/rpool/ZBE1" "z1 boots ZBE1 at its new path"
	assert_eq "$(zlogin z1 cat /etc/marker)" zbe1 "ZBE1's file"
	assert_eq "$(zone_state z1)" running "state"
}

@test "move refuses a running zone, another pool, a bad path, and changes nothing" {
	zone_install z1
	zone_install z2
	zonecfg -z z3 create -p zonepath="$ZONES/z3" || fail "zonecfg -z z3 create failed"
	POOL2=${POOL}_b
	truncate -s 256M "$TMP/disk2"
	zpool create -o cachefile=none -m none "$POOL2" "$TMP/disk2" >/dev/null 2>&1 || fail "zpool create $POOL2 failed"
	mkdir -p "$TMP/zones2" "$ZONES/full"
	zfs create -o mountpoint="$TMP/zones2" "$POOL2/zones"
	touch "$ZONES/full/file"
	zone_boot z2
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
	check 1 "^zoneadm: $TMP/zones2/z1: is on pool $POOL2, zone z1's datasets on $POOL: .*migrated \\(detach, zfs send -R, zfs recv, attach" -z z1 move "$TMP/zones2/z1"
	check 1 "^zoneadm: z2: zone is running: halt it first" -z z2 move "$ZONES/z2b"
	check 1 "^zoneadm: z3: zone is not installed" -z z3 move "$ZONES/z3b"
	check 1 "^zoneadm: nosuch: no such zone configured" -z nosuch move "$ZONES/x"
	check 1 "^zoneadm: rel/z1: the new zonepath must be an absolute path" -z z1 move rel/z1
	check 1 "^zoneadm: $ZONES/../z1: the new zonepath must not have empty, . or .. components" -z z1 move "$ZONES/../z1"
	check 1 "^zoneadm: z1: zone is at $ZONES/z1 already" -z z1 move "$ZONES/z1"
	check 1 "^zoneadm: $TMP/nozfs/z1: the zonepath's parent directory is not a ZFS mount point" -z z1 move "$TMP/nozfs/z1"
	check 1 "^zoneadm: $ZONES/z2: dataset $POOL/zones/z2 exists already" -z z1 move "$ZONES/z2"
	check 1 "^zoneadm: $ZONES/full: exists and is not an empty directory" -z z1 move "$ZONES/full"
	check 2 "^usage:" -z z1 move
	check 2 "^usage:" -z z1 move a b
}

@test "a move killed after any of its zfs calls does not boot; the same move run again finishes it" {
	two_zbes
	mkdir -p "$TMP/root/zonesB"
	zfs create -o mountpoint=/zonesB "$POOL/zonesB"
	write_conf "subuid_file = $TMP/subuid" "subgid_file = $TMP/subgid" "zfs = $KILL_WRAPPER"
	export ZBE_KILL_COUNTER=$TMP/count ZBE_KILL_LOG=$TMP/zfs.log ZBE_KILL_AT=0
	local n
	# after the mark, the unmount, the rename, the mount at the new path
	for n in 1 2 3 4; do
		rm -f "$TMP/count"
		ZBE_KILL_AT=$n run --separate-stderr "$ZONEADM" -z z1 move "$TMP/root/zonesB/z1" </dev/null
		[ "$status" -eq 137 ] || fail "move killed after call $n: exit $status; $stderr"
		run --separate-stderr zoneadm -z z1 boot
		assert_status 1
		rm -f "$TMP/count"
		run --separate-stderr "$ZONEADM" -z z1 move "$TMP/root/zonesB/z1" </dev/null
		assert_status 0
		[ "$n" -lt 3 ] || assert_contains "$stderr" "finishing its interrupted move" "the second move says so"
		assert_eq "$(zfs get -H -o value org.zbe:move-to "$POOL/zonesB/z1")" - "the mark is cleared (call $n)"
		zone_boot z1
		assert_eq "$(zlogin z1 cat /etc/marker)" zbe1 "z1 boots at its new path (call $n)"
		zoneadm -z z1 halt || fail "halt failed"
		"$ZONEADM" -z z1 move "$ZONES/z1" </dev/null || fail "move back failed"
	done
}

@test "migration to another pool: detach, zfs send -R, zfs recv, attach; the zone boots there with all its ZBEs and tags" {
	two_zbes
	beadm create GBE2 || fail "beadm create GBE2 failed"
	beadm -z z1 create -d "before the move" ZBE4 || fail "beadm -z z1 create ZBE4 failed"
	local before old_base new_base
	before=$(zbes z1)
	old_base=$(zonecfg -z z1 info | awk '$1 == "id-base:" { print $2 }')
	POOL2=${POOL}_b
	truncate -s 1G "$TMP/disk2"
	zpool create -o cachefile=none -m none "$POOL2" "$TMP/disk2" >/dev/null 2>&1 || fail "zpool create $POOL2 failed"
	mkdir -p "$TMP/zones2"
	zfs create -o mountpoint="$TMP/zones2" "$POOL2/zones"
	# the procedure of zoneadm(8), Migration
	zoneadm -z z1 detach || fail "detach failed"
	zfs snapshot -r "$POOL/zones/z1@migrate" || fail "zfs snapshot -r failed"
	zfs send -R "$POOL/zones/z1@migrate" | zfs recv "$POOL2/zones/z1" || fail "zfs send -R | zfs recv failed"
	zonecfg -z z1 delete -F || fail "zonecfg delete failed"
	new_base=$((old_base + 65536 * 3))
	zonecfg -z z1 create -p zonepath="$TMP/zones2/z1" -p id-base=$new_base || fail "zonecfg create failed"
	assert_eq "$(zone_state z1)" configured "the received zone before attach"
	run --separate-stderr zoneadm -z z1 attach
	assert_status 0
	assert_same "$before" "$(zbes z1)" "beadm -z z1 list on the other pool"
	assert_eq "$(zfs get -H -o value org.opensolaris.libbe:description "$POOL2/zones/z1/rpool/ZBE4")" "before the move" "a description"
	assert_eq "$(stat -c %u "$TMP/zones2/z1")" "$new_base" "the zonepath is the zone's root's here"
	zone_boot z1
	assert_eq "$(root_ds_at "$TMP/zones2/z1")" "$POOL2/zones/z1/rpool/ZBE1" "z1 boots its ZBE1 on $POOL2"
	assert_eq "$(zlogin z1 cat /etc/marker)" zbe1 "the file"
	assert_eq "$(zlogin z1 stat -c %u /etc/marker)" 0 "its owner inside the zone"
	assert_eq "$(stat -c %u "$TMP/zones2/z1/root/etc/marker")" "$new_base" "its owner on the host: the new range"
	assert_eq "$(zlogin z1 cat /proc/self/uid_map | xargs)" "0 $new_base 65536" "z1's uid_map"
	zoneadm -z z1 halt || fail "halt failed"
}
