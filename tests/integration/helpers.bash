# helpers.bash: the world each beadm integration test runs in.
#
# Every test gets a pool of its own on a sparse file (zfs-fuse), imported
# with altroot $TMP/root (zpool create -R), so that mountpoint=/ is the
# test's own root and nothing is ever mounted over the machine's /:
#   POOL/ROOT               mountpoint=none (the BE container)
#   POOL/ROOT/GBE1          the running BE: mountpoint=/, canmount=noauto
#                           (zbe's layout), mounted at $TMP/root
#   POOL/ROOT/GBE1/var      a child dataset, mounted at $TMP/root/var
# GBE1's /boot has a kernel and its initramfs (beadm activate checks them),
# bootfs=POOL/ROOT/GBE1, and $TMP/zbe.conf (exported as ZBE_CONF) with
# system_root=$TMP/root and run_dir=$TMP/run.  teardown destroys it all,
# also when the test failed.
#
# Files load this with `load helpers`; it defines setup and teardown.

bats_require_minimum_version 1.5.0

ZBT_SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BEADM=${BEADM:-$ZBT_SRC/build/cmd/beadm/beadm}
FAIL_WRAPPER=$BATS_TEST_DIRNAME/zfs-fail-wrapper
KILL_WRAPPER=$BATS_TEST_DIRNAME/zfs-kill-wrapper

# A sanitizer report must not pass for beadm's own exit 1.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:exitcode=86:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=86}

# Which ZFS the tests run on: the one beadm picks (lib/base/handle.c), the
# OpenZFS kernel module when it is there (the guest of tests/openzfs),
# zfs-fuse otherwise.  Tests whose expectations differ ask on_openzfs.
if [ -e /dev/zfs ] || [ -e /sys/module/zfs ]; then
	ZBT_DRIVER=openzfs ZFS_FSTYPE=zfs
else
	ZBT_DRIVER=zfs-fuse ZFS_FSTYPE=fuse.zfs
fi
on_openzfs() { [ "$ZBT_DRIVER" = openzfs ]; }

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
AUTO_PROP=org.zbe:auto
UUID_PROP=org.opensolaris.libbe:uuid
DESC_PROP=org.opensolaris.libbe:description
JOURNAL_PROP=org.zbe:journal
OP_PROP=org.zbe:op
REVERT_PROP=org.zbe:nextboot-revert

# ---- assertions (print what they saw, then fail) -------------------------

fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# assert_status N: for the last `run`
assert_status() {
	if [ "$status" -ne "$1" ]; then
		printf 'expected exit %s, got %s\n--- output:\n%s\n' "$1" "$status" "$output" >&2
		[ -n "${stderr-}" ] && printf -- '--- stderr:\n%s\n' "$stderr" >&2
		return 1
	fi
}

assert_eq() { # actual expected [what]
	if [ "$1" != "$2" ]; then
		printf '%s: expected [%s], got [%s]\n' "${3:-value}" "$2" "$1" >&2
		return 1
	fi
}

assert_match() { # string ERE [what]
	if ! [[ $1 =~ $2 ]]; then
		printf '%s: [%s] does not match /%s/\n' "${3:-value}" "$1" "$2" >&2
		return 1
	fi
}

assert_contains() { # haystack needle [what]
	if [[ $1 != *"$2"* ]]; then
		printf '%s: [%s] not found in:\n%s\n' "${3:-output}" "$2" "$1" >&2
		return 1
	fi
}

assert_not_contains() {
	if [[ $1 == *"$2"* ]]; then
		printf '%s: [%s] unexpectedly found in:\n%s\n' "${3:-output}" "$2" "$1" >&2
		return 1
	fi
}

assert_same() { # before after [what]: multi-line states
	if [ "$1" != "$2" ]; then
		printf '%s changed:\n' "${3:-state}" >&2
		diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") >&2
		return 1
	fi
}

# ---- beadm -----------------------------------------------------------------

# Never a terminal on stdin: destroy would ask.
beadm() {
	"$BEADM" "$@" </dev/null
}

# ---- zfs views ---------------------------------------------------------------

ds() { printf '%s/ROOT/%s\n' "$POOL" "$1"; }

# mountpoint=/ (zbe's host BE layout) as zfs shows it: below the altroot.
root_mp() { printf '%s\n' "$TMP/root"; }

prop() { # dataset property
	zfs get -H -o value "$2" "$1"
}

propp() { # dataset property, parsable number
	zfs get -Hp -o value "$2" "$1"
}

bootfs() {
	zpool list -H -o bootfs "$POOL"
}

exists() {
	zfs list -H -o name "$1" >/dev/null 2>&1
}

names() {
	zfs list -H -t all -o name -r "$POOL" | sort
}

snapshots_of() { # dataset: its snapshots and its children's
	zfs list -H -t snapshot -o name -r "$1" 2>/dev/null | sort
}

# Everything a failed or refused command must leave alone: names, origins,
# the properties beadm manages, bootfs and the pool's mounts.
state() {
	zfs get -H -r -o name,property,value,source \
	    type,origin,mountpoint,canmount,$UUID_PROP,$DESC_PROP,$AUTO_PROP,org.opensolaris.libbe:active,$JOURNAL_PROP,$OP_PROP,$REVERT_PROP \
	    "$POOL" | sort
	echo "bootfs=$(bootfs)"
	pool_mounts
}

# "dataset target" of every ZFS mount of the pool
pool_mounts() {
	awk -v p="$POOL" -v t="$ZFS_FSTYPE" '$3 == t && ($1 == p || index($1, p "/") == 1) { print $1, $2 }' \
	    /proc/self/mounts | sort
}

mounted_at() { # dataset -> target, or nothing
	awk -v d="$1" -v t="$ZFS_FSTYPE" '$3 == t && $1 == d { print $2 }' /proc/self/mounts | tail -n 1
}

# zfs mount each dataset not mounted yet.  (OpenZFS mounts the children a
# zfs set mountpoint moves by itself; zfs-fuse does not.)
mount_unmounted() { # dataset...
	local d
	for d in "$@"; do
		[ -n "$(mounted_at "$d")" ] || zfs mount "$d"
	done
}

# The mountpoint value that makes zfs mount at DIR, a path outside the
# pool's altroot ($TMP/root): zfs-fuse puts the altroot in front of any
# value, so it climbs out first (".." at / stays at /).
outside_mp() { # dir
	local up=${TMP#/} climb=""
	up=${up//[!\/]/}
	for _ in $(seq $((${#up} + 2))); do climb="$climb/.."; done
	printf '%s%s\n' "$climb" "$1"
}

# The mountpoint a BE root has as zfs was told it (the altroot taken off).
raw_mp() { # dataset
	local v
	v=$(prop "$1" mountpoint)
	case $v in
	legacy | none) echo "$v" ;;
	"$TMP/root") echo / ;;
	"$TMP/root"/*) echo "${v#"$TMP/root"}" ;;
	*) echo "$v" ;;
	esac
}

# Mount a BE (and its children) with zfs itself, not beadm, to look inside.
# OpenZFS: mount(8) with zfsutil, the properties untouched; zfs-fuse: a
# temporary mountpoint, set back by raw_unmount.
raw_mount() { # be dir
	local d c
	d=$(ds "$1")
	mkdir -p "$2"
	if on_openzfs; then
		# mount.zfs wants zfsutil for a dataset with a mountpoint, and
		# refuses it for a legacy one
		for c in $(zfs list -H -o name -r -t filesystem "$d"); do
			mkdir -p "$2${c#"$d"}"
			if [ "$(prop "$c" mountpoint)" = legacy ]; then
				mount -t zfs "$c" "$2${c#"$d"}"
			else
				mount -t zfs -o zfsutil "$c" "$2${c#"$d"}"
			fi
		done
		return
	fi
	raw_mp "$d" >"$TMP/raw_mp.$1"
	zfs set mountpoint="$(outside_mp "$2")" "$d"
	# shellcheck disable=SC2046
	mount_unmounted $(zfs list -H -o name -r -t filesystem "$d")
}

raw_unmount() { # be
	local d
	d=$(ds "$1")
	zfs list -H -o name -r -t filesystem "$d" | sort -r | while read -r c; do
		if on_openzfs; then
			[ -n "$(mounted_at "$c")" ] && umount "$(mounted_at "$c")"
		else
			[ -n "$(mounted_at "$c")" ] && zfs unmount "$c"
		fi
	done
	if ! on_openzfs; then
		zfs set mountpoint="$(cat "$TMP/raw_mp.$1")" "$d"
		rm -f "$TMP/raw_mp.$1"
	fi
}

# Write a file into a (non-running) BE: path relative to its root.
be_write() { # be path content
	raw_mount "$1" "$TMP/w"
	mkdir -p "$(dirname "$TMP/w/$2")"
	printf '%s\n' "$3" >"$TMP/w/$2"
	raw_unmount "$1"
}

be_read() { # be path -> content, or "MISSING"
	local r
	raw_mount "$1" "$TMP/w"
	r=$(cat "$TMP/w/$2" 2>/dev/null || echo MISSING)
	raw_unmount "$1"
	printf '%s\n' "$r"
}

# ---- the world ---------------------------------------------------------------

ensure_zfs() {
	if on_openzfs; then
		[ -e /dev/zfs ] || fail "OpenZFS: no /dev/zfs"
	else
		[ -S /var/run/zfs/zfs_socket ] || fail "zfs-fuse is not running (no /var/run/zfs/zfs_socket)"
	fi
	[ -x "$BEADM" ] || fail "no beadm at $BEADM: build first (tests/run)"
}

write_conf() { # extra "key = value" lines
	{
		echo "system_root = $TMP/root"
		echo "run_dir = $TMP/run"
		for l in "$@"; do echo "$l"; done
	} >"$TMP/zbe.conf"
}

# What beadm activate looks for in the running BE GBE1: a kernel and its
# initramfs (plain files; every BE made from GBE1 has them).
boot_files() {
	mkdir -p "$TMP/root/boot"
	echo kernel >"$TMP/root/boot/vmlinuz-6.1.0-zbt"
	echo initramfs >"$TMP/root/boot/initrd.img-6.1.0-zbt"
}

# A BE at mountpoint=/ in a pool without the altroot $TMP/root would be
# mounted over the machine's /: no test runs in such a pool.
require_altroot() {
	local a
	a=$(zpool list -H -o altroot "$POOL")
	if [ "$a" != "$TMP/root" ]; then
		zpool destroy -f "$POOL" 2>/dev/null
		fail "pool $POOL: altroot is [$a], not $TMP/root: refusing to run"
	fi
}

zbt_setup() {
	ensure_zfs
	TMP=$(mktemp -d "${ZBT_TMPDIR:-/tmp}/zbt.XXXXXX")
	local prefix=${ZBT_PREFIX:-zbt$$}
	POOL=${prefix}_$RANDOM
	while zpool list "$POOL" >/dev/null 2>&1; do
		POOL=${prefix}_$RANDOM
	done
	echo "$POOL" >"$TMP/pool"
	truncate -s 256M "$TMP/disk"
	mkdir -p "$TMP/root"
	zpool create -o cachefile=none -R "$TMP/root" -m none "$POOL" "$TMP/disk" >"$TMP/zpool.out" 2>&1 ||
	    fail "zpool create $POOL failed: $(cat "$TMP/zpool.out")"
	require_altroot
	zfs create -o mountpoint=none "$POOL/ROOT"
	zfs create -o mountpoint=/ -o canmount=noauto -o "$UUID_PROP=$(uuidgen)" "$POOL/ROOT/GBE1"
	zfs create "$POOL/ROOT/GBE1/var"
	# var is mounted at once (canmount=on), where GBE1's mount would then
	# hide it, or find its directory not empty: parent first
	zfs unmount "$POOL/ROOT/GBE1/var" 2>/dev/null || true
	rmdir "$TMP/root/var" 2>/dev/null || true
	mount_unmounted "$POOL/ROOT/GBE1" "$POOL/ROOT/GBE1/var"
	zpool set bootfs="$POOL/ROOT/GBE1" "$POOL"
	echo host >"$TMP/root/etc-release"
	boot_files
	write_conf
	export ZBE_CONF=$TMP/zbe.conf
	GBE1=$POOL/ROOT/GBE1
}

zbt_teardown() {
	local targets t i
	# background beadm of a test that failed half-way
	wait 2>/dev/null || true
	[ -n "${POOL-}" ] || return 0
	targets=$(pool_mounts | awk '{ print $2 }')
	if on_openzfs; then
		# there zpool destroy -f stays "busy" while a child is mounted below
		# its parent (the running BE's var): unmount them, deepest first
		for t in $(printf '%s\n' $targets | awk 'NF { print length($0), $0 }' | sort -rn | cut -d' ' -f2-); do
			umount "$t" 2>/dev/null || umount -l "$t" 2>/dev/null || true
		done
	fi
	if zpool list "$POOL" >/dev/null 2>&1; then
		for i in $(seq 20); do
			zpool destroy -f "$POOL" >/dev/null 2>&1 && break
			sleep 0.3
		done
	fi
	for t in $targets; do
		if awk -v t="$t" '$2 == t { f = 1 } END { exit !f }' /proc/self/mounts; then
			umount -l "$t" 2>/dev/null || true
		fi
		case $t in /tmp/zbe-mnt.*) rmdir "$t" 2>/dev/null || true ;; esac
	done
	[ -n "${TMP-}" ] && rm -rf --one-file-system "$TMP"
	if zpool list "$POOL" >/dev/null 2>&1; then
		fail "teardown: pool $POOL is still there"
	fi
	if [ -n "$(pool_mounts)" ]; then
		fail "teardown: mounts of $POOL are left: $(pool_mounts)"
	fi
}

setup() {
	zbt_setup
}

teardown() {
	zbt_teardown
}

# ---- zones (zones.bats, story.bats, policy.bats) ------------------------------
#
# zone_setup builds a world of its own (not zbt_setup's): a 1G pool with
#   POOL/ROOT/GBE1   the running host BE (uuid $GBE1_UUID), mounted at $TMP/root
#   POOL/zones       mountpoint=/zones, i.e. $ZONES ($TMP/root/zones, the
#                    pool's altroot being $TMP/root): the zonepaths' parent
# and the same zbe.conf (zones_dir is the default, $TMP/root/etc/zbe/zones,
# i.e. inside the running host BE).  zone_teardown halts every zone, stops
# the brokers, destroys the pool, and fails if a container or broker is left.

ZBT_CMD=$(cd "$(dirname "$BEADM")/.." && pwd)
ZONEADM=${ZONEADM:-$ZBT_CMD/zoneadm/zoneadm}
ZONECFG=${ZONECFG:-$ZBT_CMD/zonecfg/zonecfg}
ZLOGIN=${ZLOGIN:-$ZBT_CMD/zlogin/zlogin}
ACTIVE_PROP=org.opensolaris.libbe:active
PARENTBE_PROP=org.opensolaris.libbe:parentbe

# zoneadm boot starts a broker that keeps every descriptor zoneadm had:
# stderr goes through a file and bats' descriptors are closed, so that no
# `run` waits for a broker to exit.
zoneadm() {
	local e rc
	e=$(mktemp "$TMP/zoneadm.err.XXXXXX")
	"$ZONEADM" "$@" </dev/null 2>"$e" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	rc=$?
	cat "$e" >&2
	rm -f "$e"
	return $rc
}

zonecfg() {
	"$ZONECFG" "$@" </dev/null 3>&-
}

zlogin() {
	"$ZLOGIN" "$@" </dev/null 3>&-
}

zone_setup() {
	ensure_zfs
	[ -x "$ZONEADM" ] && [ -x "$ZONECFG" ] && [ -x "$ZLOGIN" ] ||
	    fail "no zoneadm/zonecfg/zlogin under $ZBT_CMD: build first (tests/run)"
	command -v lxc-ls >/dev/null || fail "lxc is not installed"
	TMP=$(mktemp -d "${ZBT_TMPDIR:-/tmp}/zbt.XXXXXX")
	local prefix=${ZBT_PREFIX:-zbt$$}
	POOL=${prefix}_$RANDOM
	while zpool list "$POOL" >/dev/null 2>&1; do
		POOL=${prefix}_$RANDOM
	done
	echo "$POOL" >"$TMP/pool"
	truncate -s 1G "$TMP/disk"
	mkdir -p "$TMP/root"
	zpool create -o cachefile=none -R "$TMP/root" -m none "$POOL" "$TMP/disk" >"$TMP/zpool.out" 2>&1 ||
	    fail "zpool create $POOL failed: $(cat "$TMP/zpool.out")"
	require_altroot
	GBE1_UUID=$(uuidgen)
	zfs create -o mountpoint=none "$POOL/ROOT"
	zfs create -o mountpoint=/ -o canmount=noauto -o "$UUID_PROP=$GBE1_UUID" "$POOL/ROOT/GBE1"
	mount_unmounted "$POOL/ROOT/GBE1"
	boot_files
	zpool set bootfs="$POOL/ROOT/GBE1" "$POOL"
	ZONES=$TMP/root/zones
	zfs create -o mountpoint=/zones "$POOL/zones"
	mount_unmounted "$POOL/zones"
	# root's subordinate ids, which each zone gets 65536 of (twenty zones'
	# worth); the world's own files, never the host's /etc/subuid
	echo "root:100000:1310720" >"$TMP/subuid"
	echo "root:100000:1310720" >"$TMP/subgid"
	# a zone's root is a plain host uid: it must be able to search down
	# to its zonepath and the broker's socket directory
	chmod 0711 "$TMP"
	write_conf "subuid_file = $TMP/subuid" "subgid_file = $TMP/subgid"
	export ZBE_CONF=$TMP/zbe.conf
	GBE1=$POOL/ROOT/GBE1
}

# Broker processes of this test's world (by their ZBE_CONF), one pid a line.
zone_brokers() {
	local p
	[ -n "${TMP-}" ] || return 0
	for p in $(pgrep -f "zoneadm broker" 2>/dev/null); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "ZBE_CONF=$TMP/zbe.conf" && echo "$p"
	done
	return 0
}

zone_teardown() {
	local z f pid left=""
	if [ -n "${TMP-}" ] && [ -d "$TMP/run/lxc" ]; then
		for z in $(lxc-ls -P "$TMP/run/lxc" --running 2>/dev/null); do
			timeout 60 "$ZONEADM" -z "$z" halt </dev/null >/dev/null 2>&1 3>&- ||
			    lxc-stop -P "$TMP/run/lxc" -n "$z" -k >/dev/null 2>&1
		done
		for z in $(lxc-ls -P "$TMP/run/lxc" --running 2>/dev/null); do
			lxc-stop -P "$TMP/run/lxc" -n "$z" -k >/dev/null 2>&1
		done
		left=$(lxc-ls -P "$TMP/run/lxc" --running 2>/dev/null)
	fi
	for f in "${TMP:-/nonexistent}"/run/zones/*/broker.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		grep -q broker "/proc/$pid/cmdline" 2>/dev/null && kill "$pid" 2>/dev/null
	done
	for pid in $(zone_brokers); do
		kill "$pid" 2>/dev/null
	done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -z "$(zone_brokers)" ] && break
		sleep 0.2
	done
	local brokers
	brokers=$(zone_brokers)
	for pid in $brokers; do
		kill -9 "$pid" 2>/dev/null
	done
	zbt_teardown || return 1
	[ -z "$left" ] || fail "teardown: zones still running: $left"
	[ -z "$brokers" ] || fail "teardown: brokers still running: $brokers"
}

zds() { # zone [be] -> its <zpds>, or the dataset of one of its ZBEs
	if [ $# -eq 1 ]; then
		printf '%s/zones/%s\n' "$POOL" "$1"
	else
		printf '%s/zones/%s/rpool/%s\n' "$POOL" "$1" "$2"
	fi
}

# The dataset mounted at the zone's root (<zonepath>/root), from mountinfo.
zone_root_ds() {
	awk -v t="$ZONES/$1/root" '
	    $5 == t { for (i = 7; $i != "-"; i++) ; d = $(i + 2) }
	    END { if (d != "") print d }' /proc/self/mountinfo
}

zone_state() { # zone -> configured|installed|running (zoneadm list -p)
	"$ZONEADM" list -cp </dev/null 3>&- 2>/dev/null | awk -F: -v z="$1" '$2 == z { print $3 }'
}

zone_install() { # zone [install args]: configure at $ZONES/<zone> and install
	local z=$1
	shift
	zonecfg -z "$z" create -p zonepath="$ZONES/$z" || fail "zonecfg -z $z create failed"
	zoneadm -z "$z" install "$@" || fail "zoneadm -z $z install failed"
}

zone_boot() {
	zoneadm -z "$1" boot || fail "zoneadm -z $1 boot failed"
}

# Every property of every dataset of the pool, less those that change by
# themselves (space accounting).
allprops() {
	zfs get -r -H -p -o name,property,value,source all "$POOL" | awk -F'\t' '
	    $2 ~ /^(used|usedby.*|referenced|available|written|compressratio|refcompressratio|logicalused|logicalreferenced)$/ { next }
	    { print }' | sort
}

# The user properties (name:value) of one dataset, sorted.
user_props() {
	zfs get -H -o property,value,source all "$1" | awk -F'\t' '$1 ~ /:/ && $3 != "-" { print $1 "=" $2 }' | sort
}

# Switch the host to another BE, as a reboot into it would: every BE is at
# mountpoint=/ (the altroot $TMP/root), the zones' datasets mounted below
# it.  Those go first and come back after (the zones are halted).
host_switch() { # be
	local cur z
	cur=$(awk -v t="$TMP/root" -v f="$ZFS_FSTYPE" '$3 == f && $2 == t { print $1 }' /proc/self/mounts | tail -n 1)
	z=$(zfs list -H -o name -r -t filesystem "$POOL/zones" 2>/dev/null)
	for d in $(printf '%s\n' $z | sort -r); do
		[ -z "$(mounted_at "$d")" ] || zfs umount "$d" || fail "zfs umount $d failed"
	done
	if [ -n "$cur" ]; then
		zfs umount "$cur" || fail "zfs umount $cur failed"
	fi
	mount_unmounted "$(ds "$1")" || fail "zfs mount $(ds "$1") failed"
	for d in $z; do
		[ "$(prop "$d" canmount)" = on ] || continue
		mount_unmounted "$d" || fail "zfs mount $d failed"
	done
}
