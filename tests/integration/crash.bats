#!/usr/bin/env bats
# Crash safety: zfs is tests/integration/zfs-kill-wrapper, which SIGKILLs
# beadm right after its Nth mutating zfs call, as a crash or a power cut
# would stop it.  For every N: what is left is never listed or usable as a
# whole BE, `beadm check` names it (exit 1), the next ordinary command
# repairs it (undoes a create, finishes the rest), and the pool ends
# exactly as before or as the completed command leaves it.

load helpers

teardown() {
	zone_teardown
}

use_killer() { # [signal]
	write_conf "zfs = $KILL_WRAPPER"
	export ZBE_KILL_COUNTER=$TMP/count ZBE_KILL_LOG=$TMP/zfs.log ZBE_KILL_AT=0
	export ZBE_KILL_SIGNAL=${1:-KILL}
	rm -f "$TMP/count" "$TMP/zfs.log"
}

# count ARGS...: K, the mutating zfs calls of `beadm ARGS` (run for real).
count() {
	rm -f "$TMP/count"
	run --separate-stderr beadm "$@"
	assert_status 0
	K=$(cat "$TMP/count")
}

# J: after count, the number of the call that set the journal (the calls
# before it are activate's look at the BE's /boot: a mount and its unmount).
journal_call() {
	J=$(awk -F'\t' -v p="$JOURNAL_PROP=" 'index($2, p) { print $1; exit }' "$TMP/zfs.log")
	[ -n "$J" ] || fail "no journal call in $(cat "$TMP/zfs.log")"
}

# killed N ARGS...: run beadm ARGS, killed after mutating call N.
killed() {
	local n=$1
	shift
	rm -f "$TMP/count" "$TMP/zfs.log"
	ZBE_KILL_AT=$n run --separate-stderr beadm "$@"
	[ "$status" -eq 137 ] || fail "beadm $* killed after call $n: exit $status, expected 137
stderr: $stderr"
}

# The flags column of BE in beadm list -H, or nothing when it is not listed.
flags_of() {
	beadm list -H | awk -F';' -v b="$1" '$1 == b { print $3 }'
}

check_reports() { # what-to-find
	run --separate-stderr beadm check
	assert_status 1
	assert_contains "$output" "$1" "beadm check after the kill"
}

check_clean() {
	run --separate-stderr beadm check
	[ "$status" -eq 0 ] || fail "beadm check is not clean (exit $status): $output $stderr"
}

@test "create killed after each mutating call: incomplete, refused, undone by the next command" {
	use_killer
	before=$(state)
	count create PROBE
	beadm destroy -F PROBE
	[ "$before" = "$(state)" ] || fail "destroy of the probe did not restore the pool"
	[ "$K" -ge 4 ] || fail "create made only $K mutating calls"
	for n in $(seq 1 $((K - 1))); do
		killed "$n" create NEW
		# never a whole-looking BE: absent, or flagged I
		f=$(flags_of NEW)
		[ -z "$f" ] || [[ $f == *I* ]] || fail "call $n: NEW listed as '$f', not incomplete"
		check_reports "interrupted operation 'create NEW'"
		run --separate-stderr beadm mount NEW "$TMP/mnt"
		[ "$status" -ne 0 ] || fail "call $n: mount of the incomplete NEW worked"
		# that mount was a mutating command: it undid the create first
		assert_contains "$stderr" "an interrupted 'create NEW' was undone" "call $n"
		assert_same "$before" "$(state)" "pool after the recovery (call $n)"
		check_clean
	done
	# killed after the last call (the journal's clear): complete
	killed "$K" create NEW
	assert_eq "$(flags_of NEW)" "-" "NEW after a kill after its last call"
	check_clean
	beadm activate NEW
	assert_eq "$(bootfs)" "$(ds NEW)"
}

@test "create -a killed during the activation: finished, not undone" {
	use_killer
	count create -a PROBE
	total=$K
	beadm activate GBE1
	beadm destroy -F PROBE
	count create PROBE2
	plain=$K
	beadm destroy -F PROBE2
	# from the plain create's last call on (there the journal says
	# "activate" instead of being cleared) the activation runs
	for n in $(seq "$plain" $((total - 1))); do
		killed "$n" create -a NEW
		beadm list >/dev/null
		run --separate-stderr beadm create OTHER
		assert_status 0
		assert_contains "$stderr" "an interrupted 'activate NEW' was finished" "call $n"
		assert_eq "$(bootfs)" "$(ds NEW)" "bootfs after recovery (call $n)"
		assert_eq "$(prop "$(ds NEW)" origin)" "-" "NEW promoted (call $n)"
		check_clean
		beadm activate GBE1
		beadm destroy -F OTHER
		beadm destroy -F NEW
	done
}

@test "activate killed after each mutating call: finished by the next command" {
	beadm create NEW
	use_killer
	rm -f "$TMP/zfs.log"
	count activate NEW
	journal_call
	beadm activate GBE1
	for n in $(seq "$J" $((K - 1))); do
		killed "$n" activate NEW
		assert_eq "$(flags_of NEW)" "-" "NEW is whole (call $n)"
		check_reports "interrupted operation 'activate NEW'"
		run --separate-stderr beadm check -r
		assert_status 0
		assert_contains "$output" "repaired: finish it"
		assert_eq "$(bootfs)" "$(ds NEW)" "bootfs after the repair (call $n)"
		[ "$(prop "$(ds NEW)/var" origin)" = - ] || fail "NEW/var still a clone (call $n)"
		check_clean
		beadm activate GBE1
	done
}

# The boot script of activate -t, run as the initramfs of the BE mounted
# at $TMP/root runs it (the running BE here: bootfs is where it boots).
boot_here() {
	env rootmnt="$TMP/root" sh "$ZBT_SRC/dist/initramfs-tools/scripts/local-bottom/zbe" 2>/dev/null ||
	    fail "boot script failed"
}

revert() {
	zfs get -H -o value -s local "$REVERT_PROP" "$POOL/ROOT"
}

@test "activate -t killed after each mutating call: finished by the next command, or dropped after a boot" {
	beadm create NEW
	before=$(state)
	use_killer
	rm -f "$TMP/zfs.log"
	count activate -t NEW
	journal_call
	beadm activate GBE1
	assert_same "$before" "$(state)" "pool after the probe"
	for n in $(seq "$J" $((K - 1))); do
		killed "$n" activate -t NEW
		assert_eq "$(flags_of NEW)" "$(bootfs | grep -qx "$(ds NEW)" && echo T || echo -)" "NEW (call $n)"
		check_reports "interrupted operation 'activate-t NEW'"
		run --separate-stderr beadm check -r
		assert_status 0
		# as before, or as the whole command leaves it: never bootfs moved without a way back
		if [ "$(revert)" = GBE1 ]; then
			assert_eq "$(bootfs)" "$(ds NEW)" "bootfs after the repair (call $n)"
		else
			assert_same "$before" "$(state)" "pool after the repair (call $n)"
		fi
		check_clean
		beadm activate GBE1
		# the same kill, then a boot before any beadm: the boot consumes the
		# marker, and the next command drops what is left of the activation
		killed "$n" activate -t NEW
		boot_here
		assert_eq "$(bootfs)" "$GBE1" "bootfs after the boot (call $n)"
		run --separate-stderr beadm create OTHER
		assert_status 0
		assert_contains "$stderr" "an interrupted 'activate-t NEW' was dropped" "call $n"
		beadm destroy -F OTHER
		assert_same "$before" "$(state)" "pool after the boot and the recovery (call $n)"
		check_clean
	done
}

@test "activate killed during its look at the BE's /boot: nothing activated; unmount restores the BE" {
	on_openzfs && skip "OpenZFS: the look mounts with mount(2), no zfs call to be killed after"
	beadm create NEW
	before=$(state)
	use_killer
	rm -f "$TMP/zfs.log"
	count activate NEW
	journal_call
	beadm activate GBE1
	[ "$J" -gt 1 ] || fail "activate of the unmounted NEW did not mount it to look (journal at call $J)"
	for n in $(seq 1 $((J - 1))); do
		killed "$n" activate NEW
		assert_eq "$(bootfs)" "$GBE1" "bootfs (call $n)"
		run --separate-stderr beadm check
		assert_not_contains "$output" "interrupted operation" "call $n"
		# at worst the BE stays mounted in run_dir (the look's directory, or the
		# staging slot), as a killed beadm mount leaves it
		if [ -n "$(mounted_at "$(ds NEW)")" ]; then
			beadm unmount NEW || fail "unmount NEW (call $n)"
		fi
		# and a child the kill left in run_dir's staging area, with the area
		awk -v p="$TMP/run/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r |
		    while read -r m; do umount -l "$m"; done
		# zfs-fuse mounts a root through a temporary mountpoint: a kill
		# between that set and the mount, or the unmount and the set back,
		# leaves it set (not mounted; beadm mount and activate still work).
		# Its value climbs out of the altroot (/../..), which zfs prepends.
		mp=$(prop "$(ds NEW)" mountpoint)
		if [ "$mp" != "$TMP/root" ]; then
			! on_openzfs || fail "NEW's mountpoint left at $mp (call $n)"
			# (its mount directory, or the staging slot the root is mounted in first)
			[[ $mp == "$TMP/root/.."*"$TMP/run/look."* || $mp == "$TMP/root/.."*"$TMP/run/stage."*/be ]] ||
			    fail "NEW's mountpoint left at $mp (call $n)"
			zfs set mountpoint=/ "$(ds NEW)"
		fi
		assert_same "$before" "$(state)" "pool after the unmount (call $n)"
	done
}

@test "destroy killed after each mutating call: finished by the next command" {
	use_killer
	beadm create A
	before=$(state)
	count destroy -F A
	for n in $(seq 1 $((K - 1))); do
		beadm create A
		killed "$n" destroy -F A
		f=$(flags_of A)
		[ -z "$f" ] || [[ $f == *I* ]] || fail "call $n: A listed as '$f' half-destroyed"
		run --separate-stderr beadm activate A
		[ "$status" -ne 0 ] || fail "call $n: the half-destroyed A was activated"
		assert_contains "$stderr" "an interrupted 'destroy A' was finished" "call $n"
		exists "$(ds A)" && fail "A is still there after the recovery (call $n)"
		check_clean
	done
}

@test "rollback of a BE with a child killed half-way: finished" {
	beadm create A
	beadm create A@s
	use_killer
	count rollback A s
	[ "$K" -ge 3 ] || fail "rollback made only $K mutating calls"
	for n in $(seq 1 $((K - 1))); do
		killed "$n" rollback A s
		[[ $(flags_of A) == *I* ]] || fail "call $n: A not flagged incomplete: $(flags_of A)"
		run --separate-stderr beadm check -r
		assert_status 0
		check_clean
	done
}

@test "SIGINT or SIGTERM during create waits for the running zfs call, then undoes: exit 130 / 143" {
	before=$(state)
	for sig in INT TERM; do
		use_killer "$sig"
		ZBE_KILL_AT=2 run --separate-stderr beadm create NEW
		want=$([ "$sig" = INT ] && echo 130 || echo 143)
		[ "$status" -eq "$want" ] || fail "SIG$sig: exit $status, expected $want; stderr: $stderr"
		assert_contains "$stderr" "interrupted by SIG$sig"
		assert_not_contains "$stderr" "undo failed"
		assert_same "$before" "$(state)" "pool after SIG$sig"
	done
}

@test "check: a stray automatic snapshot and a pool without bootfs; -n check -r plans, check -r repairs" {
	zfs snapshot -o org.zbe:auto=on "$GBE1@stray"
	# ZFS clears bootfs when its dataset is destroyed
	zfs create -o mountpoint=legacy -o canmount=noauto "$POOL/ROOT/GONE"
	zpool set bootfs="$POOL/ROOT/GONE" "$POOL"
	zfs destroy "$POOL/ROOT/GONE"
	run --separate-stderr beadm check
	assert_status 1
	assert_contains "$output" "stray automatic snapshot $GBE1@stray"
	assert_contains "$output" "the pool has no bootfs"
	before=$(state)
	run --separate-stderr beadm -n check -r
	assert_status 1
	assert_contains "$output" "destroy $GBE1@stray"
	assert_contains "$output" "bootfs=$GBE1"
	assert_same "$before" "$(state)" "pool after -n check -r"
	run --separate-stderr beadm check -r
	assert_status 0
	assert_contains "$output" "repaired: destroy it"
	assert_eq "$(bootfs)" "$GBE1"
	exists "$GBE1@stray" && fail "the stray snapshot is still there"
	check_clean
}

@test "a journal beadm cannot read stops mutating commands with a clear message, and changes nothing" {
	zfs set org.zbe:journal=garbage "$POOL/ROOT"
	before=$(state)
	run --separate-stderr beadm create NEW
	assert_status 1
	assert_match "$stderr" "^beadm: cannot recover the interrupted"
	assert_contains "$stderr" "zfs inherit org.zbe:journal $POOL/ROOT"
	assert_same "$before" "$(state)"
	check_reports "interrupted operation"
}

@test "create on a host with two zones killed after each mutating call: the zones' ZBEs go too" {
	zbt_teardown
	zone_setup
	zone_install z1
	zone_install z2
	use_killer
	before=$(state)
	count create PROBE
	beadm destroy -F PROBE
	assert_same "$before" "$(state)" "pool after destroying the probe"
	[ "$K" -ge 6 ] || fail "create with two zones made only $K mutating calls"
	for n in $(seq 1 $((K - 1))); do
		killed "$n" create NEW
		check_reports "interrupted operation 'create NEW'"
		run --separate-stderr beadm create OTHER
		assert_status 0
		assert_contains "$stderr" "an interrupted 'create NEW' was undone" "call $n"
		beadm destroy -F OTHER
		assert_same "$before" "$(state)" "pool after the recovery (call $n)"
		check_clean
	done
	# destroy of a host BE with its two zones' BEs, killed at each call: finished
	beadm create NEW
	count destroy -F NEW
	for n in $(seq 1 $((K - 1))); do
		beadm create NEW
		killed "$n" destroy -F NEW
		run --separate-stderr beadm create OTHER
		assert_status 0
		assert_contains "$stderr" "an interrupted 'destroy NEW' was finished" "call $n"
		beadm destroy -F OTHER
		assert_same "$before" "$(state)" "pool after the finished destroy (call $n)"
		check_clean
	done
	zone_boot z1
	zoneadm -z z1 halt || fail "zoneadm -z z1 halt failed"
}

@test "beadm -z zone create and activate killed after each mutating call: the zone's journal, repaired in the zone's scope" {
	zbt_teardown
	zone_setup
	zone_install z1
	use_killer
	before=$(state)
	count -z z1 create PROBE
	beadm -z z1 destroy -F PROBE
	assert_same "$before" "$(state)" "pool after destroying the probe"
	for n in $(seq 1 $((K - 1))); do
		killed "$n" -z z1 create ZNEW
		f=$(beadm -z z1 list -H | awk -F';' '$1 == "ZNEW" { print $3 }')
		[ -z "$f" ] || [[ $f == *I* ]] || fail "call $n: ZNEW listed as '$f', not incomplete"
		run --separate-stderr beadm -z z1 check
		assert_status 1
		assert_contains "$output" "interrupted operation 'create ZNEW'"
		# the host's own commands do not touch the zone's journal
		run --separate-stderr beadm -z z1 create OTHER
		assert_status 0
		assert_contains "$stderr" "an interrupted 'create ZNEW' was undone" "call $n"
		beadm -z z1 destroy -F OTHER
		assert_same "$before" "$(state)" "pool after the recovery (call $n)"
	done
	beadm -z z1 create ZNEW
	count -z z1 activate ZNEW
	beadm -z z1 activate ZBE1
	for n in $(seq 1 $((K - 1))); do
		killed "$n" -z z1 activate ZNEW
		run --separate-stderr beadm -z z1 check -r
		assert_status 0
		assert_eq "$(prop "$(zds z1 ZNEW)" "$ACTIVE_PROP")" on "ZNEW active after the repair (call $n)"
		assert_eq "$(prop "$(zds z1 ZBE1)" "$ACTIVE_PROP")" off "ZBE1 inactive after the repair (call $n)"
		beadm -z z1 activate ZBE1
	done
	zone_boot z1
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)"
	zoneadm -z z1 halt || fail "zoneadm -z z1 halt failed"
}

@test "a zone that died without halt: its broker and root do not block the next boot, and there are never two brokers" {
	zbt_teardown
	zone_setup
	zone_install z1
	zone_boot z1
	old=$(zone_brokers)
	assert_eq "$(wc -w <<<"$old")" 1 "brokers after boot"
	# the zone dies as a kill of zoneadm or a crash of its init leaves it
	lxc-stop -P "$TMP/run/lxc" -n z1 -k
	assert_eq "$(zone_brokers)" "$old" "the broker outlives the zone"
	zone_boot z1
	new=$(zone_brokers)
	assert_eq "$(wc -w <<<"$new")" 1 "brokers after the second boot"
	[ "$new" != "$old" ] || fail "the old broker $old still serves"
	kill -0 "$old" 2>/dev/null && fail "the old broker $old is still alive"
	# a second broker for the zone refuses to start
	run timeout 10 "$ZONEADM" broker z1 "$$" </dev/null
	assert_status 1
	assert_eq "$(zone_brokers)" "$new" "brokers after a second one was tried"
	lxc-stop -P "$TMP/run/lxc" -n z1 -k
	run zoneadm -z z1 halt
	assert_status 0
	assert_eq "$(zone_brokers)" "" "brokers after halt of the dead zone"
	assert_eq "$(zone_root_ds z1)" "" "the zone's root after halt"
	zone_boot z1
	zoneadm -z z1 halt || fail "zoneadm -z z1 halt failed"
}

@test "zoneadm install or uninstall killed half-way: the zone does not boot; the next install undoes it, the next uninstall finishes it" {
	zbt_teardown
	zone_setup
	zonecfg -z z1 create -p zonepath="$ZONES/z1" || fail "zonecfg failed"
	use_killer
	before=$(state)
	# which calls install makes differs by driver (zfs-fuse mounts with zfs
	# mount, OpenZFS with mount(2)): find them with a probe
	rm -f "$TMP/count" "$TMP/zfs.log"
	"$ZONEADM" -z z1 install </dev/null || fail "probe install failed"
	made=$(grep -n $'\tcreate .*/rpool/ZBE1$' "$TMP/zfs.log" | cut -d: -f1)
	K=$(cat "$TMP/count")
	[ -n "$made" ] && [ "$K" -gt "$made" ] || fail "probe install: calls $(cat "$TMP/zfs.log")"
	zoneadm -z z1 uninstall -F || fail "probe uninstall failed"
	assert_same "$before" "$(state)" "pool after the probe"
	# after the last dataset is made, and before the mark is cleared
	for n in $(printf '%s\n' "$made" $((K - 1)) | sort -un); do
		rm -f "$TMP/count"
		ZBE_KILL_AT=$n run --separate-stderr "$ZONEADM" -z z1 install </dev/null
		[ "$status" -eq 137 ] || fail "install killed after call $n: exit $status; $stderr"
		assert_eq "$(zone_state z1)" incomplete "zoneadm list after the kill (call $n)"
		run zoneadm -z z1 boot
		assert_status 1
		assert_contains "$output" "its install was interrupted"
		run --separate-stderr "$ZONEADM" -z z1 install </dev/null
		assert_status 0
		assert_contains "$stderr" "an interrupted install was undone"
		assert_eq "$(zone_state z1)" installed "after the second install (call $n)"
		zoneadm -z z1 uninstall -F || fail "uninstall failed"
		assert_same "$before" "$(state)" "pool after uninstall (call $n)"
	done
	zoneadm -z z1 install || fail "install failed"
	zone_boot z1
	zoneadm -z z1 halt || fail "halt failed"
	# uninstall killed after its mark, before the first destroy step
	for n in 1; do
		rm -f "$TMP/count"
		ZBE_KILL_AT=$n run --separate-stderr "$ZONEADM" -z z1 uninstall -F </dev/null
		[ "$status" -eq 137 ] || fail "uninstall killed after call $n: exit $status; $stderr"
		assert_eq "$(zone_state z1)" incomplete "zoneadm list after the killed uninstall (call $n)"
		run zoneadm -z z1 boot
		assert_status 1
		zoneadm -z z1 uninstall -F || fail "the second uninstall failed (call $n)"
		assert_same "$before" "$(state)" "pool after the second uninstall (call $n)"
		zoneadm -z z1 install || fail "install failed"
	done
}

@test "a zfs child that outlives its killed beadm holds the lock: the next command waits for it; zfs runs in its own process group" {
	use_killer
	before=$(state)
	# killed while its clone of NEW is about to run; the clone comes 2 s later
	rm -f "$TMP/count" "$TMP/mark"
	ZBE_KILL_EARLY=1 ZBE_KILL_MARK=$TMP/mark ZBE_KILL_AT=3 run --separate-stderr beadm create NEW
	assert_status 137
	[ -e "$TMP/mark" ] && fail "the zfs child ended before its beadm was killed"
	# at once: it must wait for the child, then undo the create with its clone
	run --separate-stderr beadm create OTHER
	assert_status 0
	[ -e "$TMP/mark" ] || fail "beadm create OTHER ran before the zfs child of the killed beadm ended"
	assert_contains "$stderr" "an interrupted 'create NEW' was undone"
	exists "$(ds NEW)" && fail "NEW was left by the late clone"
	beadm destroy -F OTHER
	assert_same "$before" "$(state)" "pool after the recovery"
	read -r _ ours parents < <(grep '^pgid ' "$TMP/zfs.log")
	[ -n "$ours" ] && [ "$ours" != "$parents" ] || fail "zfs ran in beadm's process group ($ours, $parents)"
}

@test "rename of the BE in bootfs killed between the rename and bootfs: finished" {
	beadm create A
	# bootfs by hand: an activation would promote A, and zfs-fuse cannot
	# rename the origin of the mounted running BE
	zpool set bootfs="$(ds A)" "$POOL"
	use_killer
	count rename A B
	beadm rename B A
	assert_eq "$(bootfs)" "$(ds A)"
	# after the rename itself, before the journal is cleared
	for n in $(seq 2 $((K - 1))); do
		killed "$n" rename A B
		run --separate-stderr beadm check -r
		assert_status 0
		assert_eq "$(bootfs)" "$(ds B)" "bootfs after the repair (call $n)"
		beadm rename B A
	done
}

# zone_clean ZONE WHEN: no broker of this world and nothing mounted on the
# zone's root (after halt).
zone_clean() {
	assert_eq "$(zone_brokers)" "" "brokers $2"
	assert_eq "$(zone_root_ds "$1")" "" "the zone's root $2"
}

# zone_up_once ZONE WHEN: the zone runs with exactly one broker.
zone_up_once() {
	assert_eq "$(zone_state "$1")" running "zone state $2"
	assert_eq "$(zone_brokers | wc -l)" 1 "brokers $2"
}

@test "zoneadm boot, halt or reboot killed half-way: no orphan broker, never two, no root left that blocks the next boot" {
	zbt_teardown
	zone_setup
	zone_install z1
	write_conf "subuid_file = $TMP/subuid" "subgid_file = $TMP/subgid" "zfs = $KILL_WRAPPER"
	export ZBE_KILL_COUNTER=$TMP/count ZBE_KILL_LOG=$TMP/zfs.log ZBE_KILL_AT=0 ZBE_KILL_SIGNAL=KILL
	# the zone's first boot records its ZBE (org.zbe:last-booted), one call
	# that later boots do not make: the probe counts a boot after that one
	zone_boot z1
	zoneadm -z z1 halt || fail "first halt failed"
	# the mutating zfs calls of boot and halt (zfs-fuse mounts with zfs
	# mount; OpenZFS with mount(2), and may make none)
	rm -f "$TMP/count"
	zone_boot z1
	kb=$(cat "$TMP/count" 2>/dev/null || echo 0)
	rm -f "$TMP/count"
	zoneadm -z z1 halt || fail "probe halt failed"
	kh=$(cat "$TMP/count" 2>/dev/null || echo 0)
	echo "# boot: $kb mutating calls, halt: $kh" >&3
	zone_clean z1 "after the probe"
	for n in $(seq 1 "$kb"); do
		rm -f "$TMP/count"
		ZBE_KILL_AT=$n run "$ZONEADM" -z z1 boot </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
		[ "$status" -eq 137 ] || fail "boot killed after call $n: exit $status; $output"
		rm -f "$TMP/count"
		zone_boot z1
		zone_up_once z1 "after the boot that followed a kill at call $n"
		zoneadm -z z1 halt || fail "halt after the kill at call $n failed"
		zone_clean z1 "after halt (boot killed at call $n)"
	done
	# killed once its broker is up, while the container starts (a boot
	# that ends before the kill lands is halted and tried again)
	local killed=0
	for attempt in 1 2 3 4 5; do
		"$ZONEADM" -z z1 boot </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
		pid=$!
		for _ in $(seq 200); do
			[ -n "$(zone_brokers)" ] && break
			sleep 0.05
		done
		[ -n "$(zone_brokers)" ] || fail "no broker came up during boot"
		if kill -KILL "$pid" 2>/dev/null; then
			killed=1
			wait "$pid" || true
			break
		fi
		wait "$pid" || true
		zoneadm -z z1 halt || fail "halt after an unkilled boot (attempt $attempt) failed"
	done
	[ "$killed" = 1 ] || fail "each of 5 boots ended before its broker's kill landed"
	# whatever it left, halt takes it down, and the next boot has one broker
	zoneadm -z z1 halt || fail "halt after a boot killed with its broker up failed"
	zone_clean z1 "after halt (boot killed with its broker up)"
	zone_boot z1
	zone_up_once z1 "after the boot that followed it"
	# halt killed after each of its mutating calls: a second halt finishes
	# (or finds nothing left to stop), and the zone boots again
	for n in $(seq 1 "$kh"); do
		rm -f "$TMP/count"
		ZBE_KILL_AT=$n run "$ZONEADM" -z z1 halt </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
		[ "$status" -eq 137 ] || fail "halt killed after call $n: exit $status; $output"
		run "$ZONEADM" -z z1 halt </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
		[ "$status" -eq 0 ] || assert_contains "$output" "zone is not running" "second halt (call $n)"
		zone_clean z1 "after the second halt (halt killed at call $n)"
		rm -f "$TMP/count"
		zone_boot z1
		zone_up_once z1 "after boot (halt killed at call $n)"
	done
	# reboot (halt, then boot) killed after each of its mutating calls
	rm -f "$TMP/count"
	zoneadm -z z1 reboot || fail "probe reboot failed"
	kr=$(cat "$TMP/count" 2>/dev/null || echo 0)
	zone_up_once z1 "after the probe reboot"
	for n in $(seq 1 "$kr"); do
		rm -f "$TMP/count"
		ZBE_KILL_AT=$n run "$ZONEADM" -z z1 reboot </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
		[ "$status" -eq 137 ] || fail "reboot killed after call $n: exit $status; $output"
		if [ "$(zone_state z1)" != running ]; then
			run "$ZONEADM" -z z1 halt </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
			zone_clean z1 "after halt (reboot killed at call $n)"
			zone_boot z1
		fi
		zone_up_once z1 "after reboot killed at call $n"
	done
	zoneadm -z z1 halt || fail "the last halt failed"
	zone_clean z1 "at the end"
}
