#!/usr/bin/env bats
# The zone policy, attacked from inside the zone (zlogin z1 beadm ...):
# every attack is refused with a "beadm: " message, and every property of
# every dataset of the pool (less space accounting), the mounts and the
# zone's root are the same before and after.
#
# The world: z1 installed (ZBE1, GBE1's), then the host's `beadm create
# GBE2` (ZBE2, GBE2's: foreign to the zone), z1 booted on ZBE1, and the
# zone's own inactive ZBE "mine".

load helpers

setup() {
	zone_setup
	zone_install z1
	beadm create GBE2 || fail "beadm create GBE2 failed"
	GBE2_UUID=$(prop "$(ds GBE2)" $UUID_PROP)
	zone_boot z1
	zlogin z1 beadm create mine >/dev/null || fail "in-zone beadm create mine failed"
	assert_eq "$(prop "$(zds z1 ZBE2)" $PARENTBE_PROP)" "$GBE2_UUID" "ZBE2 parentbe" || return 1
	assert_eq "$(prop "$(zds z1 mine)" $PARENTBE_PROP)" "$GBE1_UUID" "mine parentbe" || return 1
}

teardown() {
	zone_teardown
}

# Everything an attack must leave alone.
world() {
	allprops
	pool_mounts
	echo "root: $(zone_root_ds z1)"
	echo "host /: $(ls -A / | xargs)"
	echo "TMP: $(ls -A "$TMP" | grep -v '^zoneadm.err' | xargs)"
	echo "zonepath: $(ls -A "$ZONES/z1" | xargs)"
}

# refused ARGS...: `beadm ARGS` in the zone fails with a beadm: message.
refused() {
	run --separate-stderr zlogin z1 beadm "$@"
	if [ "$status" -eq 0 ]; then
		fail "in-zone beadm $(printf '[%s] ' "$@")was accepted; stdout: $output; stderr: $stderr"
		return 1
	fi
	if ! [[ $stderr == beadm:\ * || $stderr == *$'\n'beadm:\ * ]]; then
		fail "in-zone beadm $(printf '[%s] ' "$@")failed ($status) without a beadm: message: [$stderr]"
		return 1
	fi
}

@test "names that try to escape are refused by every subcommand" {
	local long4k long5k n before
	long4k=$(printf 'x%.0s' $(seq 4000))
	long5k=$(printf 'y%.0s' $(seq 5000))
	local -a bad=(
		'../x' 'a/b' '/ZBE1' 'ZBE1/' '%' '//' '' '.' '..' "$POOL/ROOT/GBE1" 'ROOT/GBE1'
		'../../z2/rpool/ZBE1' "$POOL/zones/z1/rpool/ZBE1" "$POOL/zones/z1/rpool"
		$'a\nb' $'a\tb' 'a b' 'ZBE1;id' '$(id)' "$long4k" "$long5k" 'ZBE1@../x' '@x' 'ZBE1@'
	)
	before=$(world)
	for n in "${bad[@]}"; do
		refused create "$n"
		refused create -e "$n" new1
		refused create -e mine "$n"
		refused destroy -F "$n"
		refused rename mine "$n"
		refused rename "$n" new2
		refused mount "$n" /m
		refused unmount "$n"
		refused activate "$n"
		refused rollback "$n" snap
		refused rollback mine "$n"
		refused list "$n"
		assert_same "$before" "$(world)" "world after the attacks with [$n]"
	done
	# a snapshot name where none may be
	for n in ZBE1@x mine@x; do
		refused activate "$n"
		refused rename "$n" new3
		refused rename mine "$n"
		refused mount "$n" /m
		refused destroy -F "$n"
		refused create -e "$n" new4
	done
	assert_same "$before" "$(world)" "world after the snapshot-name attacks"
	# and the zone still works
	run --separate-stderr zlogin z1 beadm list -H
	assert_status 0
}

@test "mount paths that escape the zone are refused" {
	local before p
	zlogin z1 sh -c 'ln -s / /toroot; ln -s /etc /toetc; ln -s ../../.. /up; ln -s '"$TMP"' /tohost; mkdir /d'
	before=$(world)
	for p in /a/../../.. /.. /../etc //.. /./a /d/../../x a relative/x /toroot /toroot/m /toetc /up /up/m \
	    /tohost /tohost/m "/d/$(printf 'z%.0s' $(seq 300))/../x" $'/a\nb' ''; do
		refused mount mine "$p"
		assert_same "$before" "$(world)" "world after mount mine [$p]"
	done
	assert_eq "$(mounted_at "$(zds z1 mine)")" "" "mine mounted"
	# no mountpoint: a new directory in the zone's /tmp, which is a symlink out
	zlogin z1 sh -c 'mv /tmp /tmp.real && ln -s / /tmp'
	before=$(world)
	refused mount mine
	assert_same "$before" "$(world)" "world after mount mine (zone /tmp -> /)"
	zlogin z1 sh -c 'rm /tmp && mv /tmp.real /tmp'
	# the same mounts inside the zone work
	run --separate-stderr zlogin z1 beadm mount mine /d
	assert_status 0
	assert_eq "$(mounted_at "$(zds z1 mine)")" "$ZONES/z1/root/d" "mine mounted at"
	run --separate-stderr zlogin z1 beadm unmount /d
	assert_status 0
	run --separate-stderr zlogin z1 beadm mount mine
	assert_status 0
	assert_match "$output" '^/tmp/' "temporary mountpoint (zone view)"
	assert_eq "$(mounted_at "$(zds z1 mine)")" "$ZONES/z1/root$output" "mine mounted at"
	run --separate-stderr zlogin z1 beadm unmount mine
	assert_status 0
	assert_eq "$(ls -A "$ZONES/z1/root/tmp" | grep zbe-mnt || true)" "" "mount directories left in the zone's /tmp"
}

# A zone that swaps a directory for a symlink while a mount request waits
# (for the lock, here held by the test to make the race sure) must not get
# the ZBE mounted where the symlink points: the path is resolved inside the
# zone root, without following symlinks, only once the lock is held, and the
# mount is moved onto the directory then opened.
#
# swap_during ZONE-PATH TARGET CMD...: run CMD (a mount of mine) while the
# zone swaps ZONE-PATH for a symlink to TARGET; SWAP_STATUS and SWAP_OUTPUT
# are CMD's.  Its output goes outside $TMP, which the world lists.
swap_during() {
	local swap=$1 target=$2 out=$BATS_TEST_TMPDIR/swap.out
	shift 2
	# fd 8 holds the lock; nothing started meanwhile may inherit it
	exec 8>"$TMP/run/zbe.lock"
	flock 8
	"$@" >"$out" 2>&1 8>&- &
	local pid=$!
	sleep 2
	zlogin z1 sh -c "rm -rf $swap && ln -s $target $swap" 8>&-
	exec 8>&-
	SWAP_STATUS=0
	wait "$pid" || SWAP_STATUS=$?
	SWAP_OUTPUT=$(cat "$out")
}

# The mount swap_during ran was refused for the symlink (message MSG), and
# nothing is mounted or written at the symlink's host target $TMP/victim.
assert_swap_refused() { # MSG
	[ "$SWAP_STATUS" -ne 0 ] || fail "the mount was accepted: $SWAP_OUTPUT"
	assert_contains "$SWAP_OUTPUT" "$1" "refusal"
	assert_eq "$(mounted_at "$(zds z1 mine)")" "" "mine mounted at"
	assert_eq "$(ls -A "$TMP/victim")" "" "host directory contents"
}

@test "mount: a path swapped for a symlink while the request waits does not mount outside the zone" {
	mkdir "$TMP/victim"
	zlogin z1 mkdir /a
	local before
	before=$(world)
	swap_during /a "$TMP/victim" zlogin z1 beadm mount mine /a
	assert_swap_refused "beadm: /a: has a symbolic link in it"
	assert_same "$before" "$(world)" "world"
}

@test "mount without a mountpoint: the zone's /tmp swapped for a symlink while the request waits" {
	mkdir "$TMP/victim"
	local before
	before=$(world)
	swap_during /tmp "$TMP/victim" zlogin z1 beadm mount mine
	assert_swap_refused "beadm: /tmp: has a symbolic link in it"
	assert_same "$before" "$(world)" "world"
}

@test "unmount from inside takes the mount apart without following the zone's paths" {
	run --separate-stderr zlogin z1 sh -c 'mkdir -p /x/y && beadm mount mine /x/y'
	assert_status 0
	assert_eq "$(mounted_at "$(zds z1 mine)")" "$ZONES/z1/root/x/y" "mine mounted at"
	# a busy mount stays where it was, in the zone
	zlogin z1 sh -c 'cd /x/y && echo $$ >/busy.pid && exec sleep 60' &
	local busy=$!
	sleep 2
	run --separate-stderr zlogin z1 beadm unmount mine
	[ "$status" -ne 0 ] || fail "a busy mount was unmounted"
	assert_eq "$(mounted_at "$(zds z1 mine)")" "$ZONES/z1/root/x/y" "mine mounted at, after a busy unmount"
	zlogin z1 sh -c 'kill $(cat /busy.pid)'
	wait "$busy" || true
	# a path that is not a mount point, and one through a symlink, name nothing
	zlogin z1 ln -s /x /lx
	refused unmount /x
	refused unmount /lx/y
	assert_eq "$(mounted_at "$(zds z1 mine)")" "$ZONES/z1/root/x/y" "mine mounted at"
	run --separate-stderr zlogin z1 beadm unmount /x/y
	assert_status 0
	assert_eq "$(mounted_at "$(zds z1 mine)")" "" "mine mounted at, after unmount"
	assert_eq "$(prop "$(zds z1 mine)" mountpoint)" "legacy" "mine's mountpoint property"
	assert_eq "$(ls -A "$TMP/run" | grep '^stage' || true)" "" "staging directories left in run_dir"
}

@test "destroy -f from inside unmounts the zone's own mount; a mount the host made outside the zone stays" {
	# the global administrator mounted mine outside the zone: the zone cannot take that apart
	mkdir "$TMP/adm"
	beadm -z z1 mount mine "$TMP/adm" || fail "beadm -z z1 mount failed"
	local before
	before=$(world)
	refused destroy -fF mine
	assert_contains "$stderr" "is not mounted inside this zone" "refusal"
	assert_same "$before" "$(world)" "world after destroy -fF of a ZBE mounted on the host"
	beadm -z z1 unmount mine || fail "beadm -z z1 unmount failed"
	# mounted inside the zone: -f unmounts it there, and the ZBE goes
	run --separate-stderr zlogin z1 sh -c 'mkdir -p /m && beadm mount mine /m'
	assert_status 0
	refused destroy -F mine
	assert_contains "$stderr" "is mounted" "refusal without -f"
	run --separate-stderr zlogin z1 beadm destroy -fF mine
	assert_status 0
	assert_eq "$(zfs list -H -o name "$(zds z1 mine)" 2>/dev/null)" "" "mine after destroy -fF"
	assert_eq "$(pool_mounts | grep -c "/root/m\$" || true)" 0 "mounts at the zone's /m"
}

@test "the administrator's beadm -z mount into the running zone's tree is confined as well" {
	mkdir "$TMP/victim"
	zlogin z1 mkdir /adm
	local before
	before=$(world)
	swap_during /adm "$TMP/victim" beadm -z z1 mount mine "$ZONES/z1/root/adm"
	assert_swap_refused "has a symbolic link in it"
	assert_same "$before" "$(world)" "world after the refused mount"
	# a path that climbs out with .. is refused, a plain one works, and the zone sees it
	run --separate-stderr beadm -z z1 mount mine "$ZONES/z1/root/x/../../../victim"
	assert_status 1
	assert_contains "$stderr" "has a '..' component" "refusal of .."
	run --separate-stderr beadm -z z1 mount mine "$ZONES/z1/root/x"
	assert_status 0
	assert_eq "$(mounted_at "$(zds z1 mine)")" "$ZONES/z1/root/x" "mine mounted at"
	run zlogin z1 test -d /x/etc
	assert_status 0
	run --separate-stderr beadm -z z1 unmount mine
	assert_status 0
	assert_eq "$(mounted_at "$(zds z1 mine)")" "" "mine mounted at, after unmount"
	assert_eq "$(prop "$(zds z1 mine)" mountpoint)" legacy "mine's mountpoint property"
}

@test "ZBEs of another host BE are listed with ! and cannot be used" {
	zfs snapshot "$(zds z1 ZBE2)@s"
	run --separate-stderr zlogin z1 beadm list -H
	assert_status 0
	assert_eq "$(cut -d';' -f1,3 <<<"$output" | xargs)" "ZBE1;NR ZBE2;! mine;-" "in-zone list: name;active"
	run --separate-stderr zlogin z1 beadm list
	assert_status 0
	assert_match "$(grep '^ZBE2 ' <<<"$output")" '^ZBE2 +! .* GBE2$' "in-zone list: ZBE2"
	local before
	before=$(world)
	refused create -e ZBE2 x
	refused create -e ZBE2@s x
	refused create ZBE2@t
	refused activate ZBE2
	refused destroy -F ZBE2
	refused destroy -F ZBE2@s
	refused rename ZBE2 x
	refused mount ZBE2 /m
	refused mount ZBE2
	refused unmount ZBE2
	refused rollback ZBE2 s
	refused rollback ZBE2@s
	assert_contains "$stderr" "host boot environment" "message"
	assert_same "$before" "$(world)" "world"
	exists "$(zds z1 ZBE2)@s" || fail "ZBE2@s is gone"
}

@test "the zone cannot destroy the ZBE it runs on" {
	local before
	before=$(world)
	refused destroy -F ZBE1
	assert_contains "$stderr" "running" "message"
	refused destroy -fF ZBE1
	refused destroy -sF ZBE1
	assert_same "$before" "$(world)" "world"
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "zone root"
}

@test "be-ops=deny refuses every change at once, list still works; allow restores" {
	zfs snapshot "$(zds z1 mine)@s"
	run --separate-stderr zonecfg -z z1 set be-ops=deny
	assert_status 0
	local before
	before=$(world)
	run --separate-stderr zlogin z1 beadm list -H
	assert_status 0
	assert_eq "$(cut -d';' -f1 <<<"$output" | xargs)" "ZBE1 ZBE2 mine" "in-zone list"
	local -a reqs=("create x" "create -e mine x" "create mine@t" "destroy -F mine" "destroy -F mine@s"
	    "rename mine x" "mount mine /m" "mount mine" "unmount mine" "activate mine" "rollback mine s"
	    "rollback mine@s")
	local r
	for r in "${reqs[@]}"; do
		# shellcheck disable=SC2086
		refused $r
		assert_contains "$stderr" "global administrator" "message of [$r]"
	done
	assert_same "$before" "$(world)" "world"
	# the global administrator still can
	run --separate-stderr beadm -z z1 create adm
	assert_status 0
	run --separate-stderr beadm -z z1 destroy -F adm
	assert_status 0
	# and allow takes effect at once too
	run --separate-stderr zonecfg -z z1 set be-ops=allow
	assert_status 0
	run --separate-stderr zlogin z1 beadm create x
	assert_status 0
	exists "$(zds z1 x)" || fail "x not created"
}

@test "destroy-and-promote from inside promotes a foreign ZBE but never changes it" {
	# mine's snapshot becomes the origin of a ZBE of GBE3
	run --separate-stderr zlogin z1 beadm activate mine
	assert_status 0
	run --separate-stderr beadm create GBE3
	assert_status 0
	local gbe3_uuid foreign
	gbe3_uuid=$(prop "$(ds GBE3)" $UUID_PROP)
	foreign=$(zfs list -H -o name,$PARENTBE_PROP -d 1 "$POOL/zones/z1/rpool" |
	    awk -F'\t' -v u="$gbe3_uuid" '$2 == u { print $1 }')
	[ -n "$foreign" ] || fail "no ZBE of GBE3"
	assert_match "$(prop "$foreign" origin)" "^$(zds z1 mine)@" "origin of $foreign"
	run --separate-stderr zlogin z1 beadm activate ZBE1
	assert_status 0
	beadm -z z1 mount "${foreign##*/}" "$TMP/f" || fail "admin mount failed"
	echo gbe3-data >"$TMP/f/gbe3file"
	beadm -z z1 unmount "${foreign##*/}" || fail "admin unmount failed"

	local before_props before_zbe2 host_before
	before_props=$(user_props "$foreign")
	before_zbe2=$(user_props "$(zds z1 ZBE2)")
	host_before=$(zfs get -H -o name,property,value,source all "$(ds GBE2)" "$(ds GBE3)" | grep -vE $'\t(used|usedby[a-z]*|referenced|available|written|compressratio|refcompressratio|logicalused|logicalreferenced)\t')
	run --separate-stderr zlogin z1 beadm destroy -F mine
	assert_status 0
	exists "$(zds z1 mine)" && fail "mine still there"
	exists "$foreign" || fail "$foreign was destroyed"
	assert_same "$before_props" "$(user_props "$foreign")" "user properties of $foreign"
	assert_same "$before_zbe2" "$(user_props "$(zds z1 ZBE2)")" "user properties of ZBE2"
	assert_same "$host_before" "$(zfs get -H -o name,property,value,source all "$(ds GBE2)" "$(ds GBE3)" | grep -vE $'\t(used|usedby[a-z]*|referenced|available|written|compressratio|refcompressratio|logicalused|logicalreferenced)\t')" \
	    "GBE2 and GBE3"
	assert_not_contains "$(prop "$foreign" origin)" "/mine@" "origin of $foreign"
	beadm -z z1 mount "${foreign##*/}" "$TMP/f" || fail "admin mount after failed"
	assert_eq "$(cat "$TMP/f/gbe3file")" gbe3-data "data of $foreign"
	[ -x "$TMP/f/sbin/init" ] || fail "$foreign lost its image"
	beadm -z z1 unmount "${foreign##*/}"
}

@test "a user other than root in the zone can list but not change" {
	run --separate-stderr zlogin z1 su nobody -s /bin/sh -c 'id -u; beadm list -H'
	assert_status 0
	assert_eq "${lines[0]}" 65534 "uid"
	assert_contains "$output" "ZBE1;" "list as nobody"
	local before r
	before=$(world)
	for r in "create x" "destroy -F mine" "mount mine /tmp/m" "activate mine" "rename mine x" "rollback mine@s"; do
		run --separate-stderr zlogin z1 su nobody -s /bin/sh -c "beadm $r"
		[ "$status" -ne 0 ] || fail "nobody's beadm $r was accepted"
		assert_match "$stderr" "^beadm: .*root" "message for nobody's beadm $r"
	done
	assert_same "$before" "$(world)" "world"
}

@test "the broker survives garbage on its socket and still answers" {
	local sock=$TMP/run/zones/z1/sock/beadm.sock broker before
	[ -S "$sock" ] || fail "no socket at $sock"
	broker=$(cat "$TMP/run/zones/z1/broker.pid")
	before=$(world)
	run python3 - "$sock" <<'EOF'
import os, socket, struct, sys, time

path = sys.argv[1]
u32 = lambda v: struct.pack('<I', v)

def talk(payload, close_write=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(path)
    try:
        s.sendall(payload)
        if close_write:
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    data = b''
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except OSError:
        pass
    s.close()
    return data

def status(reply):
    # frames: type u8, len u32, data; 'x' carries the exit status
    i, st = 0, None
    while i + 5 <= len(reply):
        t, n = reply[i:i + 1], struct.unpack('<I', reply[i + 1:i + 5])[0]
        if t == b'x' and n == 4:
            st = struct.unpack('<I', reply[i + 5:i + 9])[0]
        i += 5 + n
    return st

cases = {
    'empty': b'',
    'random': os.urandom(8192),
    'truncated magic': b'ZB',
    'truncated header': b'ZBE1' + b'\x01\x00',
    'bad magic': b'XXXX' + u32(1) + u32(4) + b'list',
    'huge argc': b'ZBE1' + u32(0xffffffff),
    'argc just over': b'ZBE1' + u32(65) + (u32(4) + b'list') * 65,
    'huge length': b'ZBE1' + u32(1) + u32(0xffffffff) + b'list',
    'short data': b'ZBE1' + u32(1) + u32(100) + b'lis',
    'NUL in argument': b'ZBE1' + u32(1) + u32(5) + b'li\0st',
    'too large in total': b'ZBE1' + u32(64) + (u32(4096) + b'a' * 4096) * 17,
    'negative-looking length': b'ZBE1' + u32(2) + u32(4) + b'list' + u32(0x80000000),
}
bad = 0
for name, payload in cases.items():
    reply = talk(payload)
    st = status(reply)
    print('%-24s status=%s reply=%r' % (name, st, reply[:80]))
    if st == 0:
        print('  accepted!')
        bad = 1
# many idle connections at once, then gone
idle = []
for _ in range(64):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    idle.append(s)
time.sleep(1)
for s in idle:
    s.close()
# many connections that each send garbage and go
for _ in range(100):
    talk(os.urandom(64))
sys.exit(bad)
EOF
	echo "$output"
	assert_status 0
	kill -0 "$broker" || fail "the broker (pid $broker) died"
	assert_eq "$(cat "$TMP/run/zones/z1/broker.pid")" "$broker" "broker pid"
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run --separate-stderr zlogin z1 beadm list -H
		[ "$status" -eq 0 ] && break
		sleep 1
	done
	assert_status 0
	assert_contains "$output" "ZBE1;" "in-zone list after the garbage"
	assert_same "$before" "$(world)" "world"
	# and a change still goes through
	run --separate-stderr zlogin z1 beadm create after
	assert_status 0
}

@test "the zone cannot reach ZFS: no zfs socket or /dev/zfs, no /dev/fuse, no host disk" {
	if on_openzfs; then
		# the kernel module's control device, seen and made
		[ -c /dev/zfs ] || fail "no /dev/zfs on the host"
		run zlogin z1 ls -l /dev/zfs
		[ "$status" -ne 0 ] || fail "the zone sees /dev/zfs: $output"
		local zdev
		zdev=$(cat /sys/class/misc/zfs/dev)
		run zlogin z1 sh -c "mknod /tmp/zfs c ${zdev%:*} ${zdev#*:} && exec 3<>/tmp/zfs && echo opened"
		[ "$status" -ne 0 ] || fail "the zone opened /dev/zfs: $output"
		assert_not_contains "$output" opened "opening a made /dev/zfs"
	else
		[ -S /var/run/zfs/zfs_socket ] || fail "no zfs socket on the host"
		run zlogin z1 ls -l /var/run/zfs/zfs_socket
		[ "$status" -ne 0 ] || fail "the zone sees /var/run/zfs/zfs_socket: $output"
		run zlogin z1 sh -c 'grep -c zfs_socket /proc/net/unix'
		assert_eq "$output" 0 "zfs_socket in the zone's /proc/net/unix"
	fi
	run zlogin z1 sh -c 'ls /dev/fuse'
	[ "$status" -ne 0 ] || fail "the zone has /dev/fuse"
	run zlogin z1 sh -c 'mknod /tmp/fuse c 10 229 && exec 3<>/tmp/fuse && echo opened'
	[ "$status" -ne 0 ] || fail "the zone opened /dev/fuse: $output"
	assert_not_contains "$output" opened "opening a made /dev/fuse"
	# the block device the pool's file (and the host's root) lives on
	local dev
	dev=$(mountpoint -d "$(df --output=target "$TMP/disk" | tail -n 1)")
	run zlogin z1 sh -c "mknod /tmp/hd b ${dev%:*} ${dev#*:} && dd if=/tmp/hd of=/dev/null bs=512 count=1 && echo read"
	[ "$status" -ne 0 ] || fail "the zone read the host's disk $dev: $output"
	assert_not_contains "$output" read "reading the host's disk"
	# and the pool's file is not in the zone's view
	run zlogin z1 ls "$TMP/disk"
	[ "$status" -ne 0 ] || fail "the zone sees $TMP/disk"
}

@test "prune in the zone destroys its automatic ZBEs, never another host BE's nor its running root" {
	local policy=org.opensolaris.libbe:policy
	write_conf "keep = 0" "min_free = 0"
	zlogin z1 beadm create -o "$policy=auto" a1 >/dev/null || fail "in-zone create a1 failed"
	zfs set "$policy=auto" "$(zds z1 mine)" "$(zds z1 ZBE2)" "$(zds z1 ZBE1)"
	run --separate-stderr zlogin z1 beadm prune -n
	assert_status 0
	assert_contains "$output" "would destroy a1"
	assert_contains "$output" "would destroy mine"
	assert_contains "$output" "keep          ZBE1 (running)"
	assert_not_contains "$output" ZBE2
	run --separate-stderr zlogin z1 beadm prune
	assert_status 0
	exists "$(zds z1 a1)" && fail "a1 is still there"
	exists "$(zds z1 mine)" && fail "mine is still there"
	exists "$(zds z1 ZBE2)" || fail "ZBE2, GBE2's, was destroyed"
	exists "$(zds z1 ZBE1)" || fail "ZBE1, the zone's root, was destroyed"
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "zone root"
}
