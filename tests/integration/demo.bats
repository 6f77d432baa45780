#!/usr/bin/env bats
# demo/zbe-demo: it plays its story to the end and leaves nothing behind,
# also when it is interrupted (Ctrl-C: SIGINT to its process group, or
# SIGTERM) at different points; --keep keeps a world that the printed
# lines let you explore, and --cleanup removes it.
#
# The demo builds its own world (pool, mounts, zone, broker) in a new
# temporary directory, which it prints as "world: DIR    pool: POOL".

load helpers

DEMO=$ZBT_SRC/demo/zbe-demo

setup() {
	ensure_zfs
	# the commands under test: the build tree that BEADM is in
	export ZBE_BIN_DIR=${BEADM%/cmd/beadm/beadm}
	[ -x "$ZBE_BIN_DIR/cmd/zoneadm/zoneadm" ] || fail "no zoneadm in $ZBE_BIN_DIR"
	# the demo's temporary directory goes where tests/run looks for leftovers
	export TMPDIR=${ZBT_TMPDIR:-$BATS_TEST_TMPDIR}
	OUT=$BATS_TEST_TMPDIR/demo.out
	DEMO_PID='' WORLD='' DPOOL='' OTHER_POOL=''
}

teardown() {
	if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
		kill -TERM -- "-$DEMO_PID" 2>/dev/null || true
		wait "$DEMO_PID" 2>/dev/null || true
	fi
	world_of_output
	if [ -n "$WORLD" ] && [ -e "$WORLD" ]; then
		"$DEMO" --cleanup "$WORLD" >&2 || true
	fi
	if [ -n "$OTHER_POOL" ]; then
		for _ in 1 2 3 4 5; do
			zpool destroy -f "$OTHER_POOL" 2>/dev/null && break
			sleep 1
		done
	fi
}

# WORLD and DPOOL from the demo's output
world_of_output() {
	local line
	[ -f "$OUT" ] || return 0
	line=$(grep -m1 '^world: ' "$OUT" || true)
	[ -n "$line" ] || return 0
	WORLD=$(awk '{ print $2 }' <<<"$line")
	DPOOL=$(awk '{ print $4 }' <<<"$line")
}

# In the background, in its own process group (as a terminal's foreground
# job is), so that SIGINT is not ignored and reaches all of it.
start_demo() {
	set -m
	"$DEMO" "$@" >"$OUT" 2>&1 </dev/null &
	DEMO_PID=$!
	set +m
}

# Wait until the demo has printed a line that starts with the marker.
wait_for() { # marker
	for _ in $(seq 600); do
		grep -qF -- "$1" "$OUT" 2>/dev/null && return 0
		kill -0 "$DEMO_PID" 2>/dev/null || fail "the demo ended before printing [$1]:" "$(cat "$OUT")"
		sleep 0.1
	done
	fail "the demo did not print [$1] within 60 s:" "$(cat "$OUT")"
}

# Wait for the demo to end; status in $status.
wait_demo() {
	status=0
	wait "$DEMO_PID" || status=$?
	DEMO_PID=
}

# Nothing of the demo's world is left: pool, mounts, directory, zone
# containers, brokers or any other process that works in it.
assert_nothing_left() {
	local left p
	world_of_output
	[ -n "$WORLD" ] || fail "the demo printed no world line:" "$(cat "$OUT")"
	[ -n "$DPOOL" ] || fail "the demo printed no pool"
	left=$(
		zpool list -H -o name 2>/dev/null | grep -x -- "$DPOOL" | sed 's/^/pool: /'
		awk -v p="$DPOOL" -v d="$WORLD/" '$3 == "fuse.zfs" &&
		    ($1 == p || index($1, p "/") == 1 || index($2, d) == 1) { print "mount: " $1 " " $2 }' /proc/self/mounts
		[ -e "$WORLD" ] && echo "directory: $WORLD"
		for p in /proc/[0-9]*; do
			if tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "ZBE_CONF=$WORLD/zbe.conf" ||
			    tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$WORLD"; then
				echo "process: ${p#/proc/} $(tr '\0' ' ' 2>/dev/null <"$p/cmdline")"
			fi
		done
	)
	if [ -n "$left" ]; then
		fail "the demo left things behind:" "$left" "--- its output:" "$(cat "$OUT")"
	fi
}

# Interrupt the demo like Ctrl-C (SIGINT to its process group) once it has
# printed the marker; it must exit 130 and clean up.
interrupt_at() { # marker
	start_demo
	wait_for "$1"
	kill -INT -- "-$DEMO_PID"
	wait_demo
	if [ "$status" -ne 130 ]; then
		fail "expected exit 130 after SIGINT at [$1], got $status:" "$(cat "$OUT")"
	fi
	assert_contains "$(cat "$OUT")" "interrupted (INT)"
	assert_nothing_left
}

@test "demo: runs to the end in under a minute and leaves nothing behind" {
	local t0=$SECONDS
	start_demo
	wait_demo
	local took=$((SECONDS - t0))
	if [ "$status" -ne 0 ]; then
		fail "the demo exited $status:" "$(cat "$OUT")"
	fi
	[ "$took" -lt 60 ] || fail "the demo took $took s"
	local out
	out=$(cat "$OUT")
	# the story, as its table tells it from the mounts
	assert_match "$out" $'\n   z1 installed and booted +GBE1 +ZBE1 '
	assert_match "$out" $'\n   z1 rebooted after its update +GBE1 +ZBE2 +z1 software 2.0\n'
	assert_match "$out" $'\n   host switched to GBE2 +GBE2 +ZBE3 '
	assert_match "$out" $'\n   host back on GBE1 +GBE1 +ZBE2 +z1 software 2.0\n'
	assert_match "$out" $'\n   GBE2 destroyed +GBE1 +ZBE2 +z1 software 2.0\n'
	assert_contains "$out" "$ zlogin z1 beadm mount ZBE2 /a"
	assert_contains "$out" "World removed"
	assert_nothing_left
}

@test "demo: Ctrl-C while it builds its world (zone install) leaves nothing behind" {
	interrupt_at '$ zoneadm -z z1 install'
}

@test "demo: Ctrl-C right after the zone booted leaves nothing behind" {
	interrupt_at '== 2. '
}

@test "demo: Ctrl-C while a zone BE is mounted at /a leaves nothing behind" {
	interrupt_at '$ zlogin z1 sh -c '\''echo "z1 software 2.0" >/a/etc/zone-release'\'
}

@test "demo: Ctrl-C after the host BE GBE2 was created leaves nothing behind" {
	interrupt_at '$ beadm -z z1 list'
	assert_contains "$(cat "$OUT")" '$ beadm create GBE2'
}

@test "demo: Ctrl-C while the host reboots (no system root mounted) leaves nothing behind" {
	interrupt_at '# host boot, no system root mounted'
}

@test "demo: SIGTERM to the demo alone while the zone reboots leaves nothing behind" {
	start_demo
	wait_for '$ zoneadm -z z1 reboot'
	kill -TERM "$DEMO_PID"
	wait_demo
	[ "$status" -eq 143 ] || fail "expected exit 143 after SIGTERM, got $status:" "$(cat "$OUT")"
	assert_nothing_left
}

@test "demo: --keep keeps a world that its printed lines explore; --cleanup removes it" {
	start_demo --keep
	wait_demo
	[ "$status" -eq 0 ] || fail "demo --keep exited $status:" "$(cat "$OUT")"
	world_of_output
	[ -d "$WORLD" ] || fail "no world directory [$WORLD]"
	zpool list "$DPOOL" >/dev/null || fail "pool $DPOOL is gone"
	local conf path clean
	conf=$(grep -m1 '^  export ZBE_CONF=' "$OUT") || fail "no ZBE_CONF line:" "$(cat "$OUT")"
	path=$(grep -m1 '^  export PATH=' "$OUT") || fail "no PATH line:" "$(cat "$OUT")"
	clean=$(grep -m1 -- '--cleanup ' "$OUT") || fail "no cleanup line:" "$(cat "$OUT")"
	assert_eq "$conf" "  export ZBE_CONF=$WORLD/zbe.conf" "export line"
	# exactly what a user pastes, in a fresh shell
	run bash -c "$conf"$'\n'"$path"$'\n''beadm list -H; zoneadm list -cp; zlogin z1 cat /etc/zone-release' </dev/null
	assert_status 0
	local nl=$'\n'
	assert_match "$output" "(^|$nl)GBE1;[^;]*;NR;$WORLD/root;"
	assert_match "$output" ":z1:running:$WORLD/root/zones/z1:"
	assert_contains "$output" "z1 software 2.0"
	run bash -c "$clean" </dev/null
	assert_status 0
	assert_nothing_left
}

@test "demo: --cleanup refuses a directory that is not a demo world, and a pool not on its disk" {
	mkdir "$BATS_TEST_TMPDIR/notaworld"
	run "$DEMO" --cleanup "$BATS_TEST_TMPDIR/notaworld"
	assert_status 1
	assert_contains "$output" "not a zbe-demo world"
	[ -d "$BATS_TEST_TMPDIR/notaworld" ]
	# a world file that names someone else's pool
	OTHER_POOL=${ZBT_PREFIX:-zbt$$}_other$RANDOM
	truncate -s 128M "$BATS_TEST_TMPDIR/other.disk"
	zpool create -o cachefile=none -m none "$OTHER_POOL" "$BATS_TEST_TMPDIR/other.disk"
	mkdir "$BATS_TEST_TMPDIR/w"
	echo "pool=$OTHER_POOL" >"$BATS_TEST_TMPDIR/w/zbe-demo.world"
	run "$DEMO" --cleanup "$BATS_TEST_TMPDIR/w"
	assert_status 1
	assert_contains "$output" "pool $OTHER_POOL is not on $BATS_TEST_TMPDIR/w/disk"
	zpool list "$OTHER_POOL" >/dev/null 2>&1 || fail "--cleanup destroyed pool $OTHER_POOL"
}
