#!/usr/bin/env bats
# beadm run [-a] [-e source] newBeName -- command [argument...]: a
# transactional update.  The host BE of the test world gets a static
# busybox (its sh and a few applets) so that a command can run chrooted
# into the new BE; the zone tests run it from the global zone
# (beadm -z z1 run) and inside a running zone (zlogin z1 beadm run).

load helpers

# Applets linked in the host BE's /bin (busybox is static: nothing else needed).
APPLETS="sh cat echo grep ls sleep test touch mkdir rm kill"

setup() {
	[ -x /bin/busybox ] || fail "no /bin/busybox (package busybox-static)"
	if [[ $BATS_TEST_DESCRIPTION == zone:* ]]; then
		zone_setup
		return
	fi
	zbt_setup
	mkdir -p "$TMP/root/bin"
	cp /bin/busybox "$TMP/root/bin/busybox"
	local a
	for a in $APPLETS; do
		ln -s busybox "$TMP/root/bin/$a"
	done
}

teardown() {
	# a test that failed while a background beadm run waited for /go
	if [ -n "${BG_PID-}" ] && kill -0 "$BG_PID" 2>/dev/null; then
		[ -n "${MP-}" ] && touch "$MP/go" 2>/dev/null
		kill -TERM "$BG_PID" 2>/dev/null
		wait "$BG_PID" 2>/dev/null
	fi
	if [[ $BATS_TEST_DESCRIPTION == zone:* ]]; then
		zone_teardown
	else
		zbt_teardown
	fi
}

# Mounts below a directory (the BE's temporary mountpoint), any file system.
mounts_below() {
	awk -v d="$1/" 'index($2, d) == 1 || $2 == substr(d, 1, length(d) - 1) { print $3, $2 }' /proc/self/mounts
}

# Start `beadm ARGS...` in the background.  Its command must create /ready
# in the new BE and wait for /go there; this waits for /ready and sets MP to
# the host path where the new BE (named by $1) is mounted.  bg_finish
# creates /go and waits for beadm: its status in $status, stderr in $stderr.
bg_start() { # be beadm-args...
	bg_launch no "$@"
}

bg_finish() {
	touch "$MP/go"
	status=0
	wait "$BG_PID" || status=$?
	stderr=$(cat "$TMP/bg.err")
	output=$(cat "$TMP/bg.out")
}

# The command for bg_start: ready, wait for go, then $1 (shell code).
waiting() {
	printf 'touch /ready; i=0; while [ ! -e /go ]; do [ $i -lt 600 ] || exit 99; i=$((i + 1)); sleep 0.1; done; rm -f /ready /go; %s' "$1"
}

@test "success: the new BE has the command's changes, the running BE not; unmounted, not activated" {
	local before_snaps
	before_snaps=$(snapshots_of "$GBE1")
	bg_start NEW run NEW -- sh -c "$(waiting 'echo updated >/etc-release; echo v >/var/f; mkdir /added')"
	# while the command runs: the new BE and its child are mounted, with /proc /sys /dev
	assert_match "$MP" '^/tmp/zbe-mnt\.' "temporary mountpoint"
	assert_eq "$(mounted_at "$(ds NEW)/var")" "$MP/var" "NEW/var mounted at"
	assert_eq "$(mounts_below "$MP" | awk '$2 == "'"$MP"'/proc" { print $1 }')" proc "proc in the BE"
	assert_eq "$(mounts_below "$MP" | awk '$2 == "'"$MP"'/sys" { print $1 }')" sysfs "sys in the BE"
	assert_eq "$(mounts_below "$MP" | awk '$2 == "'"$MP"'/dev" { print $1 }' | head -n 1)" \
	    "$(awk '$2 == "/dev" { print $3 }' /proc/self/mounts | tail -n 1)" "dev in the BE"
	assert_eq "$(bootfs)" "$GBE1" "bootfs while running"
	bg_finish
	assert_status 0
	assert_eq "$stderr" "" stderr
	assert_eq "$output" "" stdout

	# the new BE: a clone of the running one, at mountpoint=/, not mounted, not active
	exists "$(ds NEW)" || fail "NEW does not exist"
	exists "$(ds NEW)/var" || fail "NEW/var does not exist"
	assert_match "$(prop "$(ds NEW)" origin)" "^$GBE1@" "NEW origin"
	assert_match "$(prop "$(ds NEW)" $UUID_PROP)" "$UUID_RE" "NEW uuid"
	[ "$(prop "$(ds NEW)" $UUID_PROP)" != "$(prop "$GBE1" $UUID_PROP)" ] || fail "NEW has GBE1's uuid"
	assert_eq "$(prop "$(ds NEW)" mountpoint)" "$(root_mp)" "NEW mountpoint"
	assert_eq "$(prop "$(ds NEW)" canmount)" noauto "NEW canmount"
	assert_eq "$(bootfs)" "$GBE1" bootfs
	assert_eq "$(pool_mounts | grep -c /ROOT/NEW)" 0 "mounts of NEW"
	assert_eq "$(mounts_below "$MP")" "" "mounts below $MP"
	[ -e "$MP" ] && fail "temporary mountpoint $MP left behind"
	assert_eq "$(comm -13 <(echo "$before_snaps") <(snapshots_of "$GBE1") | sed 's/@.*//' | sort | xargs)" \
	    "$GBE1 $GBE1/var" "new snapshots of GBE1 (NEW's origin)"
	run beadm list -H NEW
	assert_status 0
	assert_eq "$(cut -d';' -f1,3,4 <<<"$output")" "NEW;-;" "list -H NEW: name;active;mountpoint"

	# the command's changes are in NEW only
	assert_eq "$(be_read NEW etc-release)" updated "NEW /etc-release"
	assert_eq "$(be_read NEW var/f)" v "NEW /var/f (child dataset)"
	raw_mount NEW "$TMP/w"
	[ -d "$TMP/w/added" ] || fail "no /added in NEW"
	[ -e "$TMP/w/ready" ] && fail "/ready left in NEW"
	raw_unmount NEW
	assert_eq "$(cat "$TMP/root/etc-release")" host "running BE /etc-release"
	[ -e "$TMP/root/var/f" ] && fail "/var/f in the running BE"
	[ -e "$TMP/root/added" ] && fail "/added in the running BE"
	[ -e "$TMP/root/proc" ] && fail "/proc made in the running BE"
	true
}

@test "failure: exit 7 destroys the new BE, leaves nothing, beadm exits 7" {
	local before
	before=$(allprops)
	bg_start NEW run NEW -- sh -c "$(waiting 'echo half >/etc-release; echo half >/var/f; exit 7')"
	bg_finish
	assert_status 7
	assert_match "$stderr" '^beadm: run: sh failed \(status 7\); destroying NEW$' stderr
	assert_eq "$output" "" stdout
	exists "$(ds NEW)" && fail "NEW still exists"
	# no snapshot, clone or property left: the pool is as before
	assert_same "$before" "$(allprops)" "properties of the pool"
	assert_eq "$(pool_mounts)" "$GBE1 $TMP/root
$GBE1/var $TMP/root/var" "mounts of the pool"
	assert_eq "$(mounts_below "$MP")" "" "mounts below $MP"
	[ -e "$MP" ] && fail "temporary mountpoint $MP left behind"
	assert_eq "$(cat "$TMP/root/etc-release")" host "running BE /etc-release"
	[ -e "$TMP/root/var/f" ] && fail "/var/f in the running BE"
	assert_eq "$(bootfs)" "$GBE1" bootfs
}

@test "failure: other statuses are passed on (1, 255), a missing command gives 127" {
	local before st
	before=$(allprops)
	for st in 1 255; do
		run --separate-stderr beadm run NEW -- sh -c "touch /x; exit $st"
		assert_status "$st"
		assert_contains "$stderr" "(status $st); destroying NEW" stderr
		exists "$(ds NEW)" && fail "NEW still exists after exit $st"
	done
	run -127 --separate-stderr beadm run NEW -- /no/such/command
	assert_status 127
	assert_contains "$stderr" "/no/such/command" stderr
	exists "$(ds NEW)" && fail "NEW still exists after a missing command"
	assert_same "$before" "$(allprops)" "properties of the pool"
	assert_eq "$(pool_mounts | grep -c /ROOT/NEW)" 0 "mounts of NEW"
}

@test "a command killed by a signal: status 128+signal, the new BE is destroyed" {
	local before
	before=$(allprops)
	run --separate-stderr beadm run NEW -- sh -c 'echo x >/etc-release; kill -KILL $$; exit 3'
	assert_status 137
	assert_contains "$stderr" "sh failed (status 137); destroying NEW" stderr
	exists "$(ds NEW)" && fail "NEW still exists"
	run --separate-stderr beadm run NEW -- sh -c 'kill -TERM $$; exit 3'
	assert_status 143
	exists "$(ds NEW)" && fail "NEW still exists"
	assert_same "$before" "$(allprops)" "properties of the pool"
	assert_eq "$(pool_mounts | grep -c /ROOT/NEW)" 0 "mounts of NEW"
	assert_eq "$(cat "$TMP/root/etc-release")" host "running BE /etc-release"
}

# Start beadm in a process group of its own with SIGINT not ignored (job
# control on: a Ctrl-C at a terminal goes to such a group).
bg_start_group() { # be beadm-args...
	bg_launch yes "$@"
}

# bg_launch GROUP be beadm-args...: bg_start, in a process group of its own
# when GROUP is yes.
bg_launch() {
	local group=$1 be=$2 i
	shift 2
	[ "$group" = yes ] && set -m
	"$BEADM" "$@" </dev/null >"$TMP/bg.out" 2>"$TMP/bg.err" &
	BG_PID=$!
	[ "$group" = yes ] && set +m
	MP=
	for i in $(seq 200); do
		MP=$(mounted_at "$(ds "$be")")
		[ -n "$MP" ] && [ -e "$MP/ready" ] && return 0
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "beadm run did not get to the command: $(cat "$TMP/bg.err")"
}

bg_wait() {
	status=0
	wait "$BG_PID" || status=$?
	stderr=$(cat "$TMP/bg.err")
}

@test "Ctrl-C (SIGINT to beadm and the command), SIGTERM to beadm: the command ends, the new BE goes" {
	local before
	before=$(allprops)
	bg_start_group NEW run NEW -- sh -c 'echo x >/etc-release; touch /ready; sleep 60; exit 0'
	assert_eq "$(ps -o pgid= -p "$BG_PID" | xargs)" "$BG_PID" "beadm's process group"
	kill -INT -- "-$BG_PID"
	bg_wait
	assert_status 130
	assert_contains "$stderr" "sh failed (status 130); destroying NEW" stderr
	exists "$(ds NEW)" && fail "NEW still exists after a Ctrl-C"
	assert_eq "$(mounts_below "$MP")" "" "mounts below $MP after a Ctrl-C"
	[ -e "$MP" ] && fail "temporary mountpoint $MP left behind"
	assert_same "$before" "$(allprops)" "properties of the pool after a Ctrl-C"

	# SIGTERM to beadm alone is passed on to the command
	bg_start_group NEW run -a NEW -- sh -c 'touch /ready; sleep 60; exit 0'
	kill -TERM "$BG_PID"
	bg_wait
	assert_status 143
	assert_contains "$stderr" "sh failed (status 143); destroying NEW" stderr
	exists "$(ds NEW)" && fail "NEW still exists after SIGTERM"
	assert_eq "$(mounts_below "$MP")" "" "mounts below $MP after SIGTERM"
	assert_same "$before" "$(allprops)" "properties of the pool after SIGTERM"
	assert_eq "$(cat "$TMP/root/etc-release")" host "running BE /etc-release"
	assert_eq "$(chrooted_pids)" "" "sleeps left in a BE"
}

@test "beadm run killed with its command (SIGKILL to the group): the half-updated BE is incomplete, refused, and the next command undoes it" {
	local before
	before=$(state)
	bg_start_group NEW run NEW -- sh -c 'echo x >/etc-release; touch /ready; sleep 60; exit 0'
	kill -KILL -- "-$BG_PID"
	bg_wait
	assert_status 137
	# still mounted, with its /proc, /sys and /dev binds, and whole-looking on disk
	[ -n "$(mounts_below "$MP")" ] || fail "nothing mounted below $MP after the kill"
	f=$(beadm list -H | awk -F';' '$1 == "NEW" { print $3 }')
	[[ $f == *I* ]] || fail "NEW listed as '$f', not incomplete"
	run --separate-stderr beadm check
	assert_status 1
	assert_contains "$output" "interrupted 'run NEW'"
	run --separate-stderr beadm activate NEW
	assert_status 1
	assert_contains "$stderr" "an interrupted 'run NEW' was undone"
	exists "$(ds NEW)" && fail "NEW still exists after the recovery"
	assert_eq "$(mounts_below "$MP")" "" "mounts below $MP after the recovery"
	assert_same "$before" "$(state)" "pool after the recovery"
	run --separate-stderr beadm check
	assert_status 0
}

@test "while beadm run updates a BE it is listed incomplete and no other command may use it" {
	bg_start NEW run NEW -- sh -c "$(waiting 'exit 0')"
	f=$(beadm list -H | awk -F';' '$1 == "NEW" { print $3 }')
	[[ $f == *I* ]] || fail "NEW listed as '$f' during the run"
	run --separate-stderr beadm activate NEW
	assert_status 1
	assert_contains "$stderr" "beadm run is updating it"
	run --separate-stderr beadm check
	assert_status 0
	bg_finish
	assert_status 0
	assert_eq "$(beadm list -H | awk -F';' '$1 == "NEW" { print $3 }')" "-" "NEW after the run"
}

# pids of the processes whose root is below the pool's temporary mountpoints
chrooted_pids() {
	local p r
	for p in $(pgrep -x sleep); do
		r=$(readlink "/proc/$p/root" 2>/dev/null) || continue
		case $r in /tmp/zbe-mnt.*) echo "$p" ;; esac
	done
	return 0
}

@test "processes the command leaves running in the new BE are killed, so that it can be unmounted" {
	run --separate-stderr beadm run NEW -- sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & echo v >/var/f; echo started'
	assert_status 0
	assert_eq "$output" started stdout
	assert_eq "$stderr" "beadm: run: killed 1 process sh left running in the new BE" stderr
	assert_eq "$(chrooted_pids)" "" "sleeps left in a BE"
	exists "$(ds NEW)" || fail "NEW does not exist"
	exists "$(ds NEW)/var" || fail "NEW/var does not exist"
	assert_eq "$(pool_mounts | grep -c /ROOT/NEW)" 0 "mounts of NEW"
	assert_eq "$(prop "$(ds NEW)" mountpoint)" "$(root_mp)" "NEW mountpoint"
	assert_eq "$(be_read NEW var/f)" v "NEW /var/f"

	local before
	before=$(allprops)
	run --separate-stderr beadm run BAD -- sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & sleep 300 </dev/null >/dev/null 2>&1 & exit 3'
	assert_status 3
	assert_contains "$stderr" "beadm: run: killed 2 processes sh left running in the new BE" stderr
	assert_eq "$(chrooted_pids)" "" "sleeps left in a BE"
	exists "$(ds BAD)" && fail "BAD still exists"
	assert_same "$before" "$(allprops)" "properties of the pool"
	assert_eq "$(pool_mounts | grep -c /ROOT/BAD)" 0 "mounts of BAD"
}

@test "-a activates the new BE when the command succeeds, and only then" {
	local before
	before=$(allprops)
	run --separate-stderr beadm run -a BAD -- sh -c 'exit 4'
	assert_status 4
	exists "$(ds BAD)" && fail "BAD still exists"
	assert_same "$before" "$(allprops)" "properties of the pool after a failed run -a"

	run --separate-stderr beadm run -a NEW -- sh -c 'echo new >/etc-release'
	assert_status 0
	assert_eq "$(bootfs)" "$(ds NEW)" bootfs
	assert_eq "$(be_read NEW etc-release)" new "NEW /etc-release"
	# activation promotes: NEW no longer depends on GBE1
	assert_eq "$(prop "$(ds NEW)" origin)" - "NEW origin"
	assert_eq "$(prop "$(ds NEW)" mountpoint)" "$(root_mp)" "NEW mountpoint"
	assert_eq "$(pool_mounts | grep -c /ROOT/NEW)" 0 "mounts of NEW"
	run beadm list -H NEW
	assert_eq "$(cut -d';' -f1,3 <<<"$output")" "NEW;R" "list -H NEW: name;active"
	assert_eq "$(cat "$TMP/root/etc-release")" host "running BE /etc-release"
}

@test "-e source: clone a BE, or a snapshot of one, instead of the running BE" {
	beadm create SRC
	be_write SRC marker src-1
	beadm create SRC@one
	be_write SRC marker src-2

	run --separate-stderr beadm run -e SRC NEW -- sh -c 'cat /marker >/seen'
	assert_status 0
	assert_match "$(prop "$(ds NEW)" origin)" "^$(ds SRC)@" "NEW origin"
	assert_eq "$(be_read NEW seen)" src-2 "what the command saw in NEW"
	assert_eq "$(be_read SRC seen)" MISSING "SRC /seen"

	run --separate-stderr beadm run -e SRC@one OLD -- sh -c 'cat /marker >/seen'
	assert_status 0
	assert_eq "$(prop "$(ds OLD)" origin)" "$(ds SRC)@one" "OLD origin"
	assert_eq "$(be_read OLD seen)" src-1 "what the command saw in OLD"
	assert_eq "$(bootfs)" "$GBE1" bootfs

	# a failure with -e leaves the source and its snapshots as they were
	local before
	before=$(allprops)
	run --separate-stderr beadm run -e SRC@one BAD -- sh -c 'echo x >/marker; exit 9'
	assert_status 9
	run --separate-stderr beadm run -e SRC BAD -- sh -c 'echo x >/marker; exit 9'
	assert_status 9
	exists "$(ds BAD)" && fail "BAD still exists"
	assert_same "$before" "$(allprops)" "properties of the pool"
	assert_eq "$(be_read SRC marker)" src-2 "SRC /marker"

	# a missing source: refused, nothing made
	run --separate-stderr beadm run -e NOPE BAD -- true
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	assert_same "$before" "$(allprops)" "properties of the pool after a missing source"
}

@test "the command runs chrooted into the new BE, with /proc, /sys and /dev" {
	run --separate-stderr beadm run NEW -- sh -c '
	    [ -e /etc-release ] && [ ! -e /etc/debian_version ] || exit 11
	    grep "^Name:" /proc/self/status >/status || exit 12
	    ls /sys/class >/sysclass || exit 13
	    echo discarded >/dev/null || exit 14
	    [ -c /dev/null ] && [ -c /dev/zero ] || exit 15
	    echo out; echo err >&2'
	assert_status 0
	assert_eq "$output" out stdout
	assert_eq "$stderr" err stderr
	raw_mount NEW "$TMP/w"
	assert_eq "$(cat "$TMP/w/status")" "$(printf 'Name:\tgrep')" "/proc/self/status in the chroot"
	assert_contains "$(cat "$TMP/w/sysclass")" net "/sys/class in the chroot"
	# /proc, /sys and /dev were mounts: the BE keeps empty directories only
	assert_eq "$(ls -A "$TMP/w/dev" "$TMP/w/proc" "$TMP/w/sys" | grep -v ':$' | grep -v '^$')" "" \
	    "contents of NEW's /dev /proc /sys"
	raw_unmount NEW
	# the host's /dev/null is still the device
	[ -c /dev/null ] || fail "/dev/null is no longer a device"
	[ -e "$TMP/root/status" ] && fail "/status in the running BE"
	[ -e /status ] && fail "/status in the host's root"
	true
}

@test "usage errors exit 2 and change nothing" {
	local before args
	before=$(zfs get -r -H all "$POOL" | grep -vE $'\t(used|usedby[a-z]*|referenced|available|written|compressratio|refcompressratio|logicalused|logicalreferenced)\t')
	local -a cases=(
	    "run"
	    "run NEW"
	    "run NEW --"
	    "run NEW true"
	    "run NEW sh -- true"
	    "run NEW -a -- true"
	    "run -x NEW -- true"
	    "run -e"
	    "run -a -- true"
	)
	for args in "${cases[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr beadm $args
		assert_status 2 || fail "for: beadm $args"
		assert_match "$stderr" 'usage|beadm: run' "stderr of beadm $args"
	done
	run --separate-stderr beadm -n run NEW -- sh -c 'touch /x'
	assert_status 2
	assert_contains "$stderr" "-n" "stderr of beadm -n run"
	assert_same "$before" "$(zfs get -r -H all "$POOL" | grep -vE $'\t(used|usedby[a-z]*|referenced|available|written|compressratio|refcompressratio|logicalused|logicalreferenced)\t')" \
	    "zfs get -r all"
	assert_eq "$(pool_mounts | grep -c /ROOT/NEW)" 0 "mounts of NEW"
	assert_eq "$(names | grep -c /NEW)" 0 "datasets named NEW"
}

@test "refusals: an existing BE, an invalid name; nothing runs, nothing changes" {
	beadm create OLD
	local before
	before=$(allprops)
	run --separate-stderr beadm run OLD -- sh -c 'echo ran >/ran'
	assert_status 1
	assert_match "$stderr" '^beadm: .*OLD' stderr
	assert_eq "$(be_read OLD ran)" MISSING "OLD /ran"
	run --separate-stderr beadm run GBE1 -- sh -c 'echo ran >/ran'
	assert_status 1
	run --separate-stderr beadm run 'bad/name' -- sh -c 'echo ran >/ran'
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	assert_same "$before" "$(allprops)" "properties of the pool"
	[ -e "$TMP/root/ran" ] && fail "the command ran in the running BE"
	true
}

# ---- zones -----------------------------------------------------------------------

zbes() { # the zone's ZBEs, by name
	zfs list -H -o name -d 1 -t filesystem "$POOL/zones/$1/rpool" | tail -n +2 | sed 's|.*/||' | sort | xargs
}

zbe_read() { # zone be path -> content, or MISSING
	local r
	beadm -z "$1" mount "$2" "$TMP/zr" >/dev/null || fail "beadm -z $1 mount $2 failed"
	r=$(cat "$TMP/zr/$3" 2>/dev/null || echo MISSING)
	beadm -z "$1" unmount "$2" >/dev/null || fail "beadm -z $1 unmount $2 failed"
	printf '%s\n' "$r"
}

@test "zone: beadm -z z1 run from the global zone (success, failure, -a)" {
	zone_install z1
	local before
	before=$(allprops)
	run --separate-stderr beadm -z z1 run BAD -- sh -c 'echo bad >/etc/marker; exit 5'
	assert_status 5
	assert_contains "$stderr" "(status 5); destroying BAD" stderr
	assert_eq "$(zbes z1)" ZBE1 "ZBEs after a failure"
	assert_same "$before" "$(allprops)" "properties of the pool after a failure"

	run --separate-stderr beadm -z z1 run ZBE2 -- sh -c 'echo v2 >/etc/marker; [ -c /dev/null ] && grep -q "^Pid:" /proc/self/status'
	assert_status 0
	assert_eq "$(zbes z1)" "ZBE1 ZBE2" "ZBEs"
	assert_match "$(prop "$(zds z1 ZBE2)" origin)" "^$(zds z1 ZBE1)@" "ZBE2 origin"
	assert_eq "$(prop "$(zds z1 ZBE2)" $PARENTBE_PROP)" "$GBE1_UUID" "ZBE2 parentbe"
	assert_eq "$(prop "$(zds z1 ZBE2)" $ACTIVE_PROP)" off "ZBE2 active"
	assert_eq "$(prop "$(zds z1 ZBE1)" $ACTIVE_PROP)" on "ZBE1 active"
	assert_eq "$(pool_mounts | grep -c /rpool/ZBE2)" 0 "mounts of ZBE2"
	assert_eq "$(zbe_read z1 ZBE2 etc/marker)" v2 "ZBE2 /etc/marker"
	assert_eq "$(zbe_read z1 ZBE1 etc/marker)" MISSING "ZBE1 /etc/marker"

	run --separate-stderr beadm -z z1 run -a ZBE3 -- sh -c 'echo v3 >/etc/marker'
	assert_status 0
	assert_eq "$(prop "$(zds z1 ZBE3)" $ACTIVE_PROP)" on "ZBE3 active"
	assert_eq "$(prop "$(zds z1 ZBE1)" $ACTIVE_PROP)" off "ZBE1 active"
	assert_eq "$(bootfs)" "$GBE1" "host bootfs"
	zone_boot z1
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE3)" "zone root"
	assert_eq "$(zlogin z1 cat /etc/marker)" v3 "marker in the zone"
}

@test "zone: zlogin z1 beadm run in a running zone (success, failure, status, -a)" {
	zone_install z1
	zone_boot z1
	local before
	before=$(allprops)

	run --separate-stderr zlogin z1 beadm run BAD -- sh -c 'echo bad >/etc/marker; exit 7'
	assert_status 7
	assert_contains "$stderr" "(status 7); destroying BAD" stderr
	assert_eq "$(zbes z1)" ZBE1 "ZBEs after a failure"
	assert_same "$before" "$(allprops)" "properties of the pool after a failure"
	run zlogin z1 sh -c 'ls -A /tmp; grep -c " /tmp/" /proc/mounts'
	assert_eq "$output" 0 "the zone's /tmp and mounts below it after a failure"

	run --separate-stderr zlogin z1 beadm run BAD -- sh -c 'kill -KILL $$'
	assert_status 137
	assert_eq "$(zbes z1)" ZBE1 "ZBEs after a killed command"

	# a process left running in the ZBE is killed, so that it can go
	run --separate-stderr zlogin z1 beadm run BAD -- sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & exit 6'
	assert_status 6
	assert_contains "$stderr" "killed 1 process sh left running" stderr
	assert_eq "$(zbes z1)" ZBE1 "ZBEs after a command that left a process"
	assert_same "$before" "$(allprops)" "properties of the pool after a command that left a process"

	run --separate-stderr zlogin z1 beadm run ZBE2 -- sh -c 'echo v2 >/etc/marker; echo out; [ -c /dev/null ] && grep -q "^Pid:" /proc/self/status && ls /sys/class >/dev/null'
	assert_status 0
	assert_eq "$output" out stdout
	assert_eq "$(zbes z1)" "ZBE1 ZBE2" "ZBEs"
	assert_eq "$(prop "$(zds z1 ZBE2)" $PARENTBE_PROP)" "$GBE1_UUID" "ZBE2 parentbe"
	assert_eq "$(prop "$(zds z1 ZBE2)" $ACTIVE_PROP)" off "ZBE2 active"
	assert_eq "$(pool_mounts | grep -c /rpool/ZBE2)" 0 "mounts of ZBE2"
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "zone root"
	run zlogin z1 cat /etc/marker
	assert_status 1
	run zlogin z1 sh -c 'ls -A /tmp; grep -c " /tmp/" /proc/mounts'
	assert_eq "$output" 0 "the zone's /tmp and mounts below it after a success"
	assert_eq "$(zbe_read z1 ZBE2 etc/marker)" v2 "ZBE2 /etc/marker"

	run --separate-stderr zlogin z1 beadm run -ae ZBE2 ZBE3 -- sh -c 'cat /etc/marker >/etc/seen'
	assert_status 0
	assert_eq "$(prop "$(zds z1 ZBE3)" $ACTIVE_PROP)" on "ZBE3 active"
	assert_eq "$(prop "$(zds z1 ZBE1)" $ACTIVE_PROP)" off "ZBE1 active"
	run --separate-stderr zoneadm -z z1 reboot
	assert_status 0
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE3)" "zone root after reboot"
	assert_eq "$(zlogin z1 cat /etc/seen)" v2 "what the command saw"

	before=$(allprops)
	run --separate-stderr zlogin z1 beadm run NEW
	assert_status 2
	run --separate-stderr zlogin z1 beadm run -x NEW -- true
	assert_status 2
	assert_same "$before" "$(allprops)" "properties of the pool after usage errors"
}
