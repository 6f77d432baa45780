#!/usr/bin/env bats
# The zone as a security boundary: each test is an attack from inside a
# running zone (or a mistake of the admin's) and checks that it is refused
# and changes nothing.  The zone runs in a user namespace of its own
# (zonecfg id-base), its zonepath is 0700 and its root's, the broker
# compares the caller's host uid with the zone's, and what a zone may set
# with beadm create -o comes from an allow-list.

load helpers

setup() {
	zone_setup
}

teardown() {
	zone_teardown
}

# The zone's id base, as zonecfg info shows it.
id_base() {
	zonecfg -z "$1" info | awk '$1 == "id-base:" { print $2 }'
}

@test "the zone runs in a user namespace of its own: uid_map and gid_map are its range" {
	zone_install z1
	zone_boot z1
	local base
	base=$(id_base z1)
	assert_match "$base" '^[0-9]+$' "id-base"
	run --separate-stderr zlogin z1 cat /proc/self/uid_map
	assert_status 0
	[ "$(echo "$output" | xargs)" != "0 0 4294967295" ] || fail "the zone shares the host's uid map"
	assert_eq "$(echo "$output" | xargs)" "0 $base 65536" "uid_map in the zone"
	assert_eq "$(zlogin z1 cat /proc/self/gid_map | xargs)" "0 $base 65536" "gid_map in the zone"
	# the zone's init runs as the zone's root, which is host uid base
	local pid
	pid=$(lxc-info -P "$TMP/run/lxc" -n z1 -p -H)
	assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" "$base" "host uid of the zone's init"
	# and it holds no capability in the host's user namespace
	assert_eq "$(zlogin z1 id -u)" 0 "uid in the zone"
}

@test "two zones get ranges that do not overlap" {
	zonecfg -z z1 create -p zonepath="$ZONES/z1"
	zonecfg -z z2 create -p zonepath="$ZONES/z2"
	local a b
	a=$(id_base z1) b=$(id_base z2)
	assert_match "$a" '^[0-9]+$' "z1 id-base"
	assert_match "$b" '^[0-9]+$' "z2 id-base"
	[ $((a > b ? a - b : b - a)) -ge 65536 ] || fail "ranges overlap: $a and $b"
	# a range given by hand that overlaps another zone's is refused
	run --separate-stderr zonecfg -z z2 set id-base="$a"
	assert_status 1
	assert_match "$stderr" "^zonecfg: z2: .*overlaps" "overlapping id-base"
	assert_eq "$(id_base z2)" "$b" "z2 id-base after the refusal"
	# an installed zone keeps its range: auto keeps it, another is refused
	zoneadm -z z1 install || fail "install z1 failed"
	run --separate-stderr zonecfg -z z1 set id-base=auto
	assert_status 0
	assert_eq "$(id_base z1)" "$a" "z1 id-base after id-base=auto"
	run --separate-stderr zonecfg -z z1 set id-base=$((a + 65536 * 5))
	assert_status 1
	assert_match "$stderr" "^zonecfg: z1: the zone's files are owned by its ids" "message"
	assert_eq "$(id_base z1)" "$a" "z1 id-base after the refusal"
}

@test "writing the host's core_pattern from inside the zone is refused, also through a fresh proc" {
	zone_install z1
	zone_boot z1
	local before
	before=$(cat /proc/sys/kernel/core_pattern)
	# write back the value it has: harmless if it got through, but it must not
	run --separate-stderr zlogin z1 sh -c '
	    v=$(cat /proc/sys/kernel/core_pattern)
	    mkdir -p /tmp/p && mount -t proc proc /tmp/p 2>/dev/null
	    for f in /proc/sys/kernel/core_pattern /tmp/p/sys/kernel/core_pattern; do
	        [ -e "$f" ] || continue
	        if (printf "%s\n" "$v" >"$f") 2>/dev/null; then echo "WROTE $f"; fi
	    done
	    echo checked'
	assert_contains "$output" checked "the attack ran"
	assert_not_contains "$output" WROTE "core_pattern write"
	assert_eq "$(cat /proc/sys/kernel/core_pattern)" "$before" "host core_pattern"
}

@test "a block device node of the host's root disk cannot be made or read in the zone" {
	local src dev
	src=$(findmnt -no SOURCE /)
	dev=$(cat "/sys/class/block/$(basename "$src")/dev" 2>/dev/null) || skip "/ is not on a block device ($src)"
	zone_install z1
	zone_boot z1
	run --separate-stderr zlogin z1 sh -c "
	    mknod /tmp/disk b ${dev%:*} ${dev#*:} 2>/dev/null && echo MADE
	    if head -c 512 /tmp/disk >/dev/null 2>&1; then echo READ; fi
	    echo checked"
	assert_contains "$output" checked "the attack ran"
	assert_not_contains "$output" READ "read of the host's disk"
	assert_not_contains "$output" MADE "mknod of the host's disk"
}

@test "the zonepath is mode 0700, owned by the zone's root; the zone's files by its range" {
	zone_install z1
	local base
	base=$(id_base z1)
	assert_eq "$(stat -c %a "$ZONES/z1")" 700 "zonepath mode"
	[ $((0$(stat -c %a "$ZONES/z1") & 077)) -eq 0 ] || fail "zonepath has group/other bits"
	assert_eq "$(stat -c %u:%g "$ZONES/z1")" "$base:$base" "zonepath owner"
	zone_boot z1
	assert_eq "$(stat -c %u "$ZONES/z1/root/bin/busybox")" "$base" "owner of /bin/busybox on the host"
	assert_eq "$(zlogin z1 stat -c %u:%g /bin/busybox)" 0:0 "owner of /bin/busybox in the zone"
	assert_eq "$(stat -c %a "$ZONES/z1/root/tmp")" 1777 "mode of /tmp kept across the chown"
	# a file the zone's root makes is the zone root's on the host, nobody's root
	zlogin z1 sh -c 'echo x >/made-in-zone'
	assert_eq "$(stat -c %u "$ZONES/z1/root/made-in-zone")" "$base" "owner of a file made in the zone"
}

@test "boot refuses a zonepath with group or other bits, or the wrong owner, and says how to fix it" {
	zone_install z1
	local base before
	base=$(id_base z1)
	chmod 0755 "$ZONES/z1"
	before=$(state)
	run --separate-stderr zoneadm -z z1 boot
	assert_status 1
	assert_match "$stderr" "^zoneadm: $ZONES/z1: .*0755.*chmod 700" "message"
	assert_same "$before" "$(state)" "pool after the refused boot"
	assert_eq "$(zone_state z1)" installed "state"
	chmod 0700 "$ZONES/z1"
	chown 0:0 "$ZONES/z1"
	run --separate-stderr zoneadm -z z1 boot
	assert_status 1
	assert_match "$stderr" "chown $base:$base" "message for the owner"
	chown "$base:$base" "$ZONES/z1"
	# a directory above the zonepath that the zone's root cannot search
	chmod 0700 "$TMP"
	run --separate-stderr zoneadm -z z1 boot
	assert_status 1
	assert_match "$stderr" "^zoneadm: $ZONES/z1: $TMP is not searchable by the zone's root \(uid $base\): chmod o\+x $TMP" "message for the search bit"
	assert_same "$before" "$(state)" "pool after the refused boot"
	chmod 0711 "$TMP"
	zone_boot z1
}

@test "each property a zone may not set with -o is refused and the pool is unchanged" {
	zone_install z1
	zone_boot z1
	local before pv
	before=$(allprops)
	for pv in reservation=1M refreservation=1M quota=1M refquota=1M sharenfs=on sharesmb=on \
	    zoned=on canmount=on mountpoint=/mnt copies=2 dedup=on \
	    org.opensolaris.libbe:active=on org.opensolaris.libbe:uuid=x org.zbe:auto=on org.zbe:zonestate=x \
	    com.example:note=x; do
		run --separate-stderr zlogin z1 beadm create -o "$pv" zbe2
		[ "$status" -ne 0 ] || fail "zone's beadm create -o $pv was accepted"
		assert_match "$stderr" "^beadm: $pv: " "message for -o $pv"
		assert_same "$before" "$(allprops)" "pool after -o $pv"
	done
	# an allowed one goes through
	run --separate-stderr zlogin z1 beadm create -o compression=on zbe2
	assert_status 0
	assert_eq "$(prop "$(zds z1 zbe2)" compression)" on "compression of zbe2"
	# the global admin is not limited by the zone's list
	run --separate-stderr beadm -z z1 create -o copies=2 zbe3
	assert_status 0
	assert_eq "$(prop "$(zds z1 zbe3)" copies)" 2 "copies of zbe3"
}

@test "a non-root user of the zone cannot change anything through the broker; the zone's root can" {
	zone_install z1
	zone_boot z1
	local before r
	before=$(allprops)
	for r in "create zbe2" "activate ZBE1" "destroy -F ZBE1" "rename ZBE1 zbe9" "mount ZBE1 /mnt"; do
		run --separate-stderr zlogin z1 su nobody -s /bin/sh -c "beadm $r"
		[ "$status" -ne 0 ] || fail "nobody's beadm $r was accepted"
		assert_match "$stderr" "^beadm: permission denied" "message for nobody's beadm $r"
		assert_same "$before" "$(allprops)" "pool after nobody's beadm $r"
	done
	run --separate-stderr zlogin z1 su nobody -s /bin/sh -c "beadm list -H"
	assert_status 0
	run --separate-stderr zlogin z1 beadm create zbe2
	assert_status 0
	exists "$(zds z1 zbe2)" || fail "the zone's root could not create zbe2"
}

# One request to the broker's socket from the host: argv after "beadm".
broker_request() { # socket arg...
	python3 - "$@" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
args = [a.encode() for a in sys.argv[2:]]
s.sendall(b"ZBE1" + struct.pack("<I", len(args)) + b"".join(struct.pack("<I", len(a)) + a for a in args))
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode(errors="replace"))
EOF
}

@test "a caller outside the zone's ids (the host's root) is refused by the zone's broker" {
	command -v python3 >/dev/null || skip "no python3"
	zone_install z1
	zone_boot z1
	local before
	before=$(allprops)
	run broker_request "$TMP/run/zones/z1/sock/beadm.sock" create zbe2
	assert_contains "$output" "not a user of this zone" "reply to host root"
	assert_same "$before" "$(allprops)" "pool after the host's request"
}

@test "the zone cannot write into its socket directory, so not into the host's run_dir" {
	zone_install z1
	zone_boot z1
	run --separate-stderr zlogin z1 sh -c 'echo fill >/var/run/zbe/fill && echo WROTE; mkdir /var/run/zbe/d 2>/dev/null && echo MADE; echo checked'
	assert_contains "$output" checked "the attack ran"
	assert_not_contains "$output" WROTE "file in the socket directory"
	assert_not_contains "$output" MADE "directory in the socket directory"
	assert_eq "$(ls -A "$TMP/run/zones/z1/sock" | xargs)" beadm.sock "host's socket directory"
	# the socket itself still serves the zone
	run --separate-stderr zlogin z1 beadm list -H
	assert_status 0
}

@test "zonecfg set be-quota puts a quota on the zone's rpool; bad sizes are refused" {
	zone_install z1
	run --separate-stderr zonecfg -z z1 set be-quota=200M
	assert_status 0
	assert_eq "$(prop "$(zds z1)/rpool" quota)" 200M "quota on rpool"
	assert_contains "$(zonecfg -z z1 info)" "be-quota: 200M" "zonecfg info"
	run --separate-stderr zonecfg -z z1 set be-quota=lots
	assert_status 1
	assert_match "$stderr" "^zonecfg: be-quota=lots: " "message"
	assert_eq "$(prop "$(zds z1)/rpool" quota)" 200M "quota after the refusal"
	run --separate-stderr zonecfg -z z1 set be-quota=none
	assert_status 0
	assert_eq "$(prop "$(zds z1)/rpool" quota)" none "quota after be-quota=none"
	# set before install: install puts it on
	zonecfg -z z2 create -p zonepath="$ZONES/z2" -p be-quota=300M
	zoneadm -z z2 install
	assert_eq "$(prop "$(zds z2)/rpool" quota)" 300M "quota on z2's rpool after install"
}

@test "bad input: a host without subordinate ids for root gets a clear error and no zone" {
	rm -f "$TMP/subuid"
	run --separate-stderr zonecfg -z z1 create -p zonepath="$ZONES/z1"
	assert_status 1
	assert_match "$stderr" "^zonecfg: z1: root has no subordinate ids in $TMP/subuid: .*root:100000:655360" "message"
	[ ! -e "$TMP/root/etc/zbe/zones/z1.conf" ] || fail "a configuration was written"
	# a range too small for one zone is no range
	echo "root:100000:1000" >"$TMP/subuid"
	run --separate-stderr zonecfg -z z1 create -p zonepath="$ZONES/z1"
	assert_status 1
	assert_match "$stderr" "^zonecfg: z1: no free range" "message for a small range"
	[ ! -e "$TMP/root/etc/zbe/zones/z1.conf" ] || fail "a configuration was written"
}

@test "a zone configured by an earlier version (no id-base) does not boot until converted" {
	zone_install z1
	local conf=$TMP/root/etc/zbe/zones/z1.conf before
	sed -i '/^id-base=/d' "$conf"
	before=$(state)
	run --separate-stderr zoneadm -z z1 boot
	assert_status 1
	assert_match "$stderr" "^zoneadm: z1: the zone has no id range .*set id-base=auto" "message"
	assert_same "$before" "$(state)" "pool after the refused boot"
	# the conversion: a range, the zonepath, and boot shifts the ZBE's files
	zonecfg -z z1 set id-base=auto
	local base
	base=$(id_base z1)
	chown "$base:$base" "$ZONES/z1"
	zone_boot z1
	assert_eq "$(zlogin z1 stat -c %u /bin/busybox)" 0 "owner of /bin/busybox in the converted zone"
}

@test "install -s: an image copied out of another zone moves into the new zone's range; setuid bits survive" {
	zone_install z1
	local a b img=$TMP/img
	a=$(id_base z1)
	beadm -z z1 mount ZBE1 "$TMP/m1" || fail "beadm -z z1 mount failed"
	mkdir -p "$img"
	cp -a "$TMP/m1/." "$img/"
	beadm -z z1 unmount ZBE1 || fail "beadm -z z1 unmount failed"
	assert_eq "$(stat -c %u "$img/bin/busybox")" "$a" "owner in the copied image"
	# a setuid file of the zone's root and a file of a zone user
	cp "$img/bin/busybox" "$img/bin/suid"
	chown "$a:$a" "$img/bin/suid"
	chmod 4755 "$img/bin/suid"
	touch "$img/etc/userfile"
	chown $((a + 1000)):$((a + 1000)) "$img/etc/userfile"
	zonecfg -z z2 create -p zonepath="$ZONES/z2"
	b=$(id_base z2)
	zoneadm -z z2 install -s "$img" || fail "install -s failed"
	beadm -z z2 mount ZBE1 "$TMP/m2" || fail "beadm -z z2 mount failed"
	local busybox suid user
	busybox=$(stat -c %u:%g "$TMP/m2/bin/busybox")
	suid=$(stat -c %u:%a "$TMP/m2/bin/suid")
	user=$(stat -c %u "$TMP/m2/etc/userfile")
	beadm -z z2 unmount ZBE1
	assert_eq "$busybox" "$b:$b" "owner of /bin/busybox in z2"
	assert_eq "$suid" "$b:4755" "owner and mode of the setuid file in z2"
	assert_eq "$user" "$((b + 1000))" "owner of a zone user's file in z2"
}

# ---- a zone cannot stall the host (issue #13) --------------------------------

# The lists loop $i of flood_start has run, 0 before its first.
flood_count() {
	local v
	# a count being rewritten reads empty
	v=$(tr -dc 0-9 2>/dev/null <"$ZONES/z1/root/tmp/flood.$1" || true)
	echo "${v:-0}"
}

flood_total() {
	local i t=0
	for i in $(seq 1 "$1"); do
		t=$((t + $(flood_count "$i")))
	done
	echo "$t"
}

# flood_start N: N loops of "beadm list" in z1, each until /tmp/flood goes
# away (and at most 2000 lists, should the test die first); their pids in
# FLOOD_PIDS.  Returns once each has listed twice.
flood_start() {
	local i
	FLOOD_PIDS=()
	zlogin z1 touch /tmp/flood || fail "cannot start the flood"
	for i in $(seq 1 "$1"); do
		zlogin z1 sh -c 'n=0; while [ -e /tmp/flood ] && [ $n -lt 2000 ]; do
		    beadm list >/dev/null 2>&1; n=$((n + 1)); echo $n >/tmp/flood.'"$i"'; done' >/dev/null 2>&1 &
		FLOOD_PIDS+=($!)
	done
	for _ in $(seq 1 300); do
		local low=0
		for i in $(seq 1 "$1"); do
			[ "$(flood_count "$i")" -ge 2 ] || low=1
		done
		[ "$low" = 0 ] && return 0
		sleep 0.1
	done
	fail "the flood did not start: $(flood_total "$1") lists in 30 s"
}

flood_stop() {
	rm -f "$ZONES/z1/root/tmp/flood"
	local p
	for p in "${FLOOD_PIDS[@]}"; do
		wait "$p" || true
	done
}

# flock let a new reader share the lock while a writer waited: twelve
# loops of list in one zone kept the host's create out for 21 s (0.19 s
# alone; 1-14 s with the sanitizers, where the zone's requests spend more
# of their time outside the lock, so a time bound alone would not tell).
# Three creates in a row, each with a generous bound (zfs-fuse, a shared
# machine), and a count: a writer waits for the zone's reads already
# under way, never for new ones, so a handful of the zone's lists end
# while a create runs (with flock, hundreds to thousands).  The ratio is
# bench/flood's.
@test "the host's beadm create completes while the zone floods its broker with beadm list" {
	zone_install z1
	zone_boot z1
	flood_start 12
	local before after rc i passed=0
	for i in 1 2 3; do
		rc=0
		before=$(flood_total 12)
		timeout 20 "$BEADM" create "NEW$i" </dev/null >"$TMP/create.out" 2>&1 || rc=$?
		after=$(flood_total 12)
		[ "$rc" = 0 ] || break
		[ "$after" -gt "$before" ] || fail "the zone listed nothing while the host created NEW$i"
		passed=$((passed + after - before))
	done
	flood_stop
	assert_eq "$rc" 0 "exit of the host's create NEW$i under the flood, 124 = not done in 20 s ($(cat "$TMP/create.out"))"
	exists "$(ds NEW3)" || fail "no NEW3"
	[ "$passed" -lt 100 ] || fail "the zone's lists passed the host's creates: $passed lists during 3 creates"
	# the zone got its new ZBEs with them
	assert_eq "$(beadm -z z1 list -H | wc -l)" 4 "ZBEs of z1 after the creates"
}

# stall_client SOCK MODE SECONDS: connect and send nothing (idle), half a
# request (half), or a request one byte a second (trickle: a per-read
# timeout never fires); report how the broker ended the connection,
# "dropped after N s", or "still open after SECONDS s".
stall_client() {
	python3 - "$@" <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
mode, limit = sys.argv[2], float(sys.argv[3])
req = b"ZBE1" + struct.pack("<I", 1) + struct.pack("<I", 4) + b"list"
t0 = time.monotonic()
if mode == "half":
    s.sendall(req[:14])
sent = 0
while time.monotonic() - t0 < limit:
    if mode == "trickle" and sent < len(req) - 1:
        try:
            s.send(req[sent:sent + 1])
        except OSError:
            break
        sent += 1
    s.settimeout(1.0)
    try:
        b = s.recv(65536)
    except socket.timeout:
        continue
    except OSError:
        break
    if not b:
        break
    while True:
        try:
            if not s.recv(65536):
                break
        except OSError:
            break
    break
t = time.monotonic() - t0
print("dropped after %d s" % int(t) if t < limit else "still open after %d s" % limit)
PY
}

@test "a stalled client of the broker (idle, half a request, a trickle) is dropped and blocks no one" {
	command -v python3 >/dev/null || skip "no python3"
	zone_install z1
	zone_boot z1
	local sock=$TMP/run/zones/z1/sock/beadm.sock i pids=()
	for i in 1 2 3 4 5 6; do
		stall_client "$sock" idle 30 >"$TMP/idle.$i" &
		pids+=($!)
		stall_client "$sock" half 30 >"$TMP/half.$i" &
		pids+=($!)
		stall_client "$sock" trickle 30 >"$TMP/trickle.$i" &
		pids+=($!)
	done
	sleep 1
	# the zone is served meanwhile
	run --separate-stderr timeout 10 "$ZLOGIN" z1 beadm list -H </dev/null 3>&-
	assert_status 0
	assert_match "$output" "^ZBE1;" "list while 18 clients stall"
	for i in "${pids[@]}"; do
		wait "$i"
	done
	# the request's deadline is 5 s from the connect, however it trickles
	for i in 1 2 3 4 5 6; do
		assert_match "$(cat "$TMP/idle.$i")" "^dropped after [4-9] s" "idle client $i"
		assert_match "$(cat "$TMP/half.$i")" "^dropped after [4-9] s" "half-request client $i"
		assert_match "$(cat "$TMP/trickle.$i")" "^dropped after [4-9] s" "trickling client $i"
	done
	# and the host's lock was never theirs
	run --separate-stderr timeout 20 "$BEADM" create NEW </dev/null
	assert_status 0
}

# Mounts of the host below dir (its own mount, if any, left out).
mounts_below() { # dir
	awk -v d="$1/" 'index($2, d) == 1 { print $1, $2 }' /proc/self/mounts
}

@test "a ZBE whose child dataset's directory is a symlink to a host directory: beadm mount (zone, host -z) mounts nothing outside the zone" {
	zone_install z1
	zone_boot z1
	# the host directory the zone aims at (a directory of the test, standing for /etc)
	mkdir -p "$TMP/hostetc" "$TMP/hostempty"
	echo host >"$TMP/hostetc/passwd"
	# in its inactive ZBE, the zone's root swaps /var for a symlink to it,
	# and makes /opt one to an empty host directory (zfs mounts on those)
	run --separate-stderr zlogin z1 beadm create zbe2
	assert_status 0
	run --separate-stderr zlogin z1 sh -c "beadm mount zbe2 /mnt && rm -rf /mnt/var /mnt/opt && ln -s $TMP/hostetc /mnt/var && ln -s $TMP/hostempty /mnt/opt && beadm unmount zbe2"
	assert_status 0
	# the ZBE gets child datasets opt and var (as a ZBE of a host with a separate /var has)
	zfs create "$(zds z1 zbe2)/opt" || fail "zfs create opt failed"
	zfs create "$(zds z1 zbe2)/var" || fail "zfs create var failed"
	local where
	for where in "zone /mnt" "host $TMP/m" "host $ZONES/z1/root/mnt" "host"; do
		local who=${where%% *} path=${where#* }
		[ "$path" = host ] && path=""
		if [ "$who" = zone ]; then
			run --separate-stderr zlogin z1 beadm mount zbe2 $path
		else
			run --separate-stderr beadm -z z1 mount zbe2 $path
		fi
		[ "$status" -ne 0 ] || fail "beadm mount zbe2 $path ($who) succeeded"
		assert_match "$stderr" "^beadm: $(zds z1 zbe2)/opt: its mount point .*/opt is or passes through a symbolic link" \
		    "message ($who $path)"
		local d
		for d in "$TMP/hostetc" "$TMP/hostempty"; do
			assert_eq "$(mounts_below "$d")$(awk -v d="$d" '$2 == d' /proc/self/mounts)" "" \
			    "mounts on the host directory $d ($who $path)"
		done
		assert_eq "$(cat "$TMP/hostetc/passwd")" host "the host directory's file ($who $path)"
		assert_eq "$(pool_mounts | grep -c "/zbe2")" 0 "mounts of zbe2 left behind ($who $path)"
		assert_eq "$(prop "$(zds z1 zbe2)" mountpoint)" legacy "zbe2's mountpoint ($who $path)"
	done
	assert_eq "$(ls -A "$TMP/hostetc" | xargs)" passwd "the host directory"
	assert_eq "$(ls -A "$TMP/hostempty" | xargs)" "" "the empty host directory"
	# the zone's own mounts are as they were: nothing in its /tmp, nothing at /mnt
	run zlogin z1 sh -c 'ls -A /tmp; grep -c " /mnt" /proc/mounts'
	assert_eq "$output" 0 "the zone's /tmp and /mnt"
	# a real directory there again: the ZBE mounts, its child in place
	zfs destroy "$(zds z1 zbe2)/var"
	zfs destroy "$(zds z1 zbe2)/opt"
	run --separate-stderr zlogin z1 sh -c "beadm mount zbe2 /mnt && rm /mnt/var /mnt/opt && mkdir /mnt/var && beadm unmount zbe2"
	assert_status 0
	zfs create "$(zds z1 zbe2)/opt" || fail "zfs create opt failed"
	zfs create "$(zds z1 zbe2)/var" || fail "zfs create var failed"
	run --separate-stderr beadm -z z1 mount zbe2 "$TMP/m"
	assert_status 0
	assert_eq "$(mounted_at "$(zds z1 zbe2)/var")" "$TMP/m/var" "zbe2/var mounted in the tree"
	assert_eq "$(mounted_at "$(zds z1 zbe2)/opt")" "$TMP/m/opt" "zbe2/opt mounted in the tree (its directory made)"
	run --separate-stderr beadm -z z1 unmount zbe2
	assert_status 0
	assert_eq "$(pool_mounts | grep -c "/zbe2")" 0 "mounts of zbe2 after unmount"
}

@test "beadm -z Z run: the command runs in the zone's user namespace and id map, with /proc, /sys and /dev not the host's" {
	zone_install z1
	local base
	base=$(id_base z1)
	mkdir -p "$TMP/hostetc"
	run --separate-stderr beadm -z z1 run NEW -- sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; ls /dev | xargs; readlink /proc/self/ns/user; ls /proc | grep -c "^[0-9]"; echo x >/sys/kernel/zbe-test 2>/dev/null && echo SYS""WRITE; touch /etc/by-run'
	assert_status 0
	[ "$(sed -n 1p <<<"$output" | xargs)" != "0 0 4294967295" ] || fail "the command ran with the host's uid map"
	assert_eq "$(sed -n 1p <<<"$output" | xargs)" "0 $base 65536" "uid_map of the command"
	assert_eq "$(sed -n 2p <<<"$output" | xargs)" "0 $base 65536" "gid_map of the command"
	assert_eq "$(sed -n 3p <<<"$output")" 0 "uid of the command in the zone"
	assert_eq "$(sed -n 4p <<<"$output")" "fd full null random stderr stdin stdout tty urandom zero" "the command's /dev"
	[ "$(sed -n 5p <<<"$output")" != "$(readlink /proc/self/ns/user)" ] || fail "the command is in the host's user namespace"
	# a pid namespace of its own: its /proc shows its own few processes, not the host's
	[ "$(sed -n 6p <<<"$output")" -lt 10 ] || fail "the command sees $(sed -n 6p <<<"$output") processes"
	assert_not_contains "$output" SYSWRITE "write to /sys"
	# what it made is the zone's: its root is host uid base
	beadm -z z1 mount NEW "$TMP/zr" >/dev/null || fail "beadm -z z1 mount NEW failed"
	assert_eq "$(stat -c %u "$TMP/zr/etc/by-run")" "$base" "owner of a file the command made"
	# a BE whose /proc is a symlink to a host directory (the zone can make
	# one in its BEs): it leads inside the BE, never to the host's
	rm -rf "$TMP/zr/proc" && ln -s "$TMP/hostetc" "$TMP/zr/proc"
	beadm -z z1 unmount NEW >/dev/null || fail "beadm -z z1 unmount NEW failed"
	run --separate-stderr beadm -z z1 run -e NEW NEW3 -- true
	assert_eq "$(awk -v d="$TMP/hostetc" '$2 == d || index($2, d "/") == 1' /proc/self/mounts)" "" "mounts on the host directory"
	assert_eq "$(ls -A "$TMP/hostetc")" "" "the host directory"
	assert_eq "$(pool_mounts | grep -c /rpool/NEW)" 0 "mounts of the new ZBEs"
}
