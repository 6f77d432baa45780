#!/usr/bin/env bats
# Resource caps: zonecfg capped-memory.physical, capped-cpu.ncpus and
# max-processes become cgroup limits of the running zone (lxc.cgroup2.* on
# a cgroup v2 host, lxc.cgroup.* on a v1 or hybrid one).  Each test reads
# the limits from the zone's own cgroup on the host, found through the
# host pid of the zone's init (/proc/PID/cgroup), and makes the zone hit
# them.

load helpers

setup() {
	zone_setup
	SLEEPER=
}

teardown() {
	[ -z "$SLEEPER" ] || kill "$SLEEPER" 2>/dev/null || true
	zone_teardown
}

v2_host() { [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; }

init_pid() {
	lxc-info -P "$TMP/run/lxc" -n "$1" -p -H
}

# zone controller -> the directory of the zone's init in that controller's
# hierarchy (v2: the one hierarchy, the controller is ignored).
zone_cgroup() {
	local pid
	pid=$(init_pid "$1")
	[ -n "$pid" ] || fail "zone $1 has no init"
	if v2_host; then
		printf '/sys/fs/cgroup%s\n' "$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")"
	else
		printf '/sys/fs/cgroup/%s%s\n' "$2" "$(awk -F: -v c="$2" '
		    { n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")"
	fi
}

# zone controller v1-file v2-file -> its content
cg_read() {
	local dir
	dir=$(zone_cgroup "$1" "$2")
	if v2_host; then cat "$dir/$4"; else cat "$dir/$3"; fi
}

conf_of() { cat "$TMP/root/etc/zbe/zones/$1.conf"; }

@test "each cap is in force in the running zone, and shown by zonecfg info and zoneadm list -v" {
	zone_install z1
	zonecfg -z z1 set capped-memory.physical=64M capped-cpu.ncpus=0.5 max-processes=50 ||
	    fail "zonecfg set caps failed"
	zone_boot z1
	# the cgroup of the zone's init is the zone's own, not the host's
	local dir
	dir=$(zone_cgroup z1 memory)
	assert_match "$dir" "z1" "the zone's memory cgroup"
	assert_eq "$(cg_read z1 memory memory.limit_in_bytes memory.max)" $((64 << 20)) "memory cap"
	if v2_host; then
		assert_eq "$(cg_read z1 cpu - cpu.max)" "50000 100000" "cpu.max"
	else
		assert_eq "$(cg_read z1 cpu cpu.cfs_quota_us -)" 50000 "cpu.cfs_quota_us"
		assert_eq "$(cg_read z1 cpu cpu.cfs_period_us -)" 100000 "cpu.cfs_period_us"
	fi
	assert_eq "$(cg_read z1 pids pids.max pids.max)" 50 "pids.max"
	# a command zlogin runs is in the same cgroup, so under the same caps
	run --separate-stderr zlogin z1 cat /proc/self/cgroup
	assert_status 0

	run --separate-stderr zonecfg -z z1 info
	assert_status 0
	assert_contains "$output" "capped-memory.physical: 64M" "info memory"
	assert_contains "$output" "capped-cpu.ncpus: 0.50" "info cpu"
	assert_contains "$output" "max-processes: 50" "info processes"
	run --separate-stderr zonecfg -z z1 info -j
	assert_status 0
	assert_eq "$(jq -r '[.["capped-memory"].physical, .["capped-memory"]["physical-bytes"],
	    .["capped-cpu"].ncpus, .["max-processes"]] | map(tostring) | join(" ")' <<<"$output")" \
	    "64M 67108864 0.5 50" "info -j"
	run --separate-stderr "$ZONEADM" list -v
	assert_status 0
	assert_match "${lines[2]}" "^1 +z1 +running +$ZONES/z1 +lxc +excl +mem=64M,cpu=0.50,proc=50\$" "list -v"
	run --separate-stderr "$ZONEADM" list -j
	assert_eq "$(jq -r '.[0] | [.["capped-memory"], .["capped-cpu"], .["max-processes"]] | map(tostring) | join(" ")' \
	    <<<"$output")" "64M 0.50 50" "list -j"
}

@test "a zone without caps gets no limits; none removes a cap" {
	zone_install z1
	zonecfg -z z1 set max-processes=40 capped-memory.physical=1G || fail "set failed"
	zonecfg -z z1 set max-processes=none capped-memory.physical=none || fail "set none failed"
	run --separate-stderr zonecfg -z z1 info
	assert_contains "$output" "capped-memory.physical: none" "memory none"
	assert_contains "$output" "max-processes: none" "processes none"
	assert_not_contains "$(conf_of z1)" "max-processes" "the file has no cap left"
	zone_boot z1
	assert_eq "$(cg_read z1 pids pids.max pids.max)" max "pids.max without a cap"
	if v2_host; then
		assert_eq "$(cg_read z1 memory - memory.max)" max "memory.max without a cap"
	else
		# v1: "no limit" is the largest page-aligned value
		[ "$(cg_read z1 memory memory.limit_in_bytes -)" -gt $((1 << 50)) ] || fail "memory limited"
	fi
	run --separate-stderr "$ZONEADM" list -v
	assert_match "${lines[2]}" "^1 +z1 +running .* +lxc +excl +-\$" "list -v without caps"
}

@test "a zone hitting its memory cap is OOM-killed inside the zone; the host's processes live on" {
	zone_install z1
	zonecfg -z z1 set capped-memory.physical=32M || fail "set failed"
	zone_boot z1
	sleep 600 &
	SLEEPER=$!
	local zinit
	zinit=$(init_pid z1)
	# busybox dd allocates its block: 128M in a zone capped at 32M
	run zlogin z1 dd if=/dev/zero of=/dev/null bs=128M count=1
	assert_eq "$status" 137 "dd in the zone was SIGKILLed (128+9)"
	kill -0 "$SLEEPER" || fail "the host's sleeper was killed"
	assert_eq "$(init_pid z1)" "$zinit" "the zone's init lives on"
	assert_eq "$(zlogin z1 echo alive)" alive "the zone still runs commands"
	local events
	if v2_host; then
		events=$(awk '$1 == "oom_kill" { print $2 }' "$(zone_cgroup z1 memory)/memory.events")
	else
		events=$(awk '$1 == "oom_kill" { print $2 }' "$(zone_cgroup z1 memory)/memory.oom_control")
	fi
	[ "${events:-0}" -ge 1 ] || fail "the zone's cgroup counts no OOM kill: ${events:-none}"
	# the same command without the cap runs to its end
	zoneadm -z z1 halt || fail "halt failed"
	zonecfg -z z1 set capped-memory.physical=none || fail "set none failed"
	zone_boot z1
	run zlogin z1 dd if=/dev/zero of=/dev/null bs=128M count=1
	assert_status 0
}

@test "the process cap stops a fork loop in the zone" {
	zone_install z1
	zonecfg -z z1 set max-processes=30 || fail "set failed"
	zone_boot z1
	local dir
	dir=$(zone_cgroup z1 pids)
	run --separate-stderr zlogin z1 sh -c 'i=0; while [ $i -lt 200 ]; do sleep 600 & i=$((i + 1)); done; echo all'
	[ "$status" -ne 0 ] || fail "the fork loop ran to its end: $output"
	assert_not_contains "$output" "all" "the loop did not finish"
	assert_match "$stderr" "can't fork|Resource temporarily unavailable" "fork refused"
	local cur
	cur=$(cat "$dir/pids.current")
	[ "$cur" -le 30 ] || fail "pids.current $cur above the cap"
	[ "$(awk '$1 == "max" { print $2 }' "$dir/pids.events")" -ge 1 ] || fail "pids.events counts no refusal"
	# the loop's sleepers, killed from the host: then the zone forks again
	local p
	for p in $(cat "$dir/cgroup.procs"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ] && kill "$p" 2>/dev/null
	done
	for _ in $(seq 50); do
		[ "$(cat "$dir/pids.current")" -lt 10 ] && break
		sleep 0.1
	done
	assert_eq "$(zlogin z1 echo alive)" alive "the zone runs commands again"
}

@test "bad cap values are refused and change nothing" {
	zonecfg -z z1 create -p zonepath="$ZONES/z1" || fail "create failed"
	zonecfg -z z1 set capped-memory.physical=512M capped-cpu.ncpus=2 max-processes=100 || fail "set failed"
	local before info
	before=$(conf_of z1)
	info=$(zonecfg -z z1 info)
	local bad
	for bad in capped-memory.physical= capped-memory.physical=abc capped-memory.physical=1M \
	    capped-memory.physical=10X capped-memory.physical=1.5G capped-memory.physical=-1G \
	    capped-memory.physical=99999999999999T capped-cpu.ncpus=0 capped-cpu.ncpus=0.00 \
	    capped-cpu.ncpus=1.234 capped-cpu.ncpus=-1 capped-cpu.ncpus=2000 capped-cpu.ncpus=1. \
	    capped-cpu.ncpus=.5 max-processes=0 max-processes=abc max-processes=99999999 max-processes=010 \
	    'max-processes=5
zonepath=/x' capped-memory=1G; do
		run --separate-stderr zonecfg -z z1 set "$bad"
		assert_status 1
		assert_match "$stderr" "^zonecfg: " "error for $bad"
		assert_eq "$(conf_of z1)" "$before" "the file after $bad"
	done
	# one bad value among good ones: none of them is taken
	run --separate-stderr zonecfg -z z1 set max-processes=7 capped-cpu.ncpus=x
	assert_status 1
	assert_match "$stderr" "^zonecfg: x: capped-cpu.ncpus is a number" "message"
	assert_eq "$(conf_of z1)" "$before" "the file after a mixed set"
	assert_eq "$(zonecfg -z z1 info)" "$info" "info after the refusals"
	# no value through create either
	run --separate-stderr zonecfg -z z2 create -p zonepath="$ZONES/z2" -p capped-memory.physical=1k
	assert_status 1
	[ ! -e "$TMP/root/etc/zbe/zones/z2.conf" ] || fail "z2 configured anyway"
}
