# budget-helpers.bash: the world of the invocation-budget tests
# (tests/integration/budgets.bats, tests/known-bugs/create-budget.bats).
# Load it after helpers.bash: it replaces setup and teardown.
#
# zone_setup's world (GBE1 running, no child dataset; POOL/zones the
# zonepaths' parent), plus GBE0, an older host BE, and NZ = 5 zones as
# "zoneadm install" leaves them.  zfs and zpool are the counting wrapper
# (zfs-count-wrapper, the `zfs` and `zpool` keys of zbe.conf), which logs
# each call as "<tool><TAB><args>" and runs the real command.

COUNT_WRAPPER=$ZBT_SRC/tests/integration/zfs-count-wrapper
NZ=5

# Zones z$1..z$2 as "zoneadm install" leaves them, made with zfs directly:
# <zpds> (no org.zbe:zonestate), <zpds>/rpool (canmount=off, mountpoint=none),
# and five ZBEs: ZBE1 active for GBE1, ZBE2 and ZBE5 inactive for GBE1,
# ZBE3 (active) and ZBE4 for GBE0.  Each gets its configuration file.
make_zones() { # first last
	local k z i spec
	for k in $(seq "$1" "$2"); do
		z=$(zds "z$k")
		zfs create "$z"
		zfs create -o canmount=off -o mountpoint=none "$z/rpool"
		i=0
		for spec in "$GBE1_UUID on" "$GBE1_UUID off" "$GBE0_UUID on" "$GBE0_UUID off" "$GBE1_UUID off"; do
			set -- $spec
			i=$((i + 1))
			zfs create -o mountpoint=legacy -o canmount=noauto -o "$PARENTBE_PROP=$1" \
			    -o "$ACTIVE_PROP=$2" "$z/rpool/ZBE$i"
		done
		mkdir -p "$ZONES/z$k/root"
		printf '# zone z%s: written by zonecfg\nzonepath=%s\nautoboot=false\nbe-ops=allow\ninit=/sbin/init\nuuid=%s\n' \
		    "$k" "$ZONES/z$k" "$(uuidgen)" >"$ZONES_DIR/z$k.conf"
	done
}

# zone_setup's world (GBE1 running, POOL/zones the zonepaths' parent), plus
# GBE0, an older host BE, and N zones; zfs and zpool are the counting wrapper.
setup() {
	zone_setup
	GBE0_UUID=$(uuidgen)
	zfs create -o mountpoint=legacy -o canmount=noauto -o "$UUID_PROP=$GBE0_UUID" "$POOL/ROOT/GBE0"
	ZONES_DIR=$TMP/root/etc/zbe/zones
	mkdir -p "$ZONES_DIR"
	make_zones 1 $NZ
	mkdir -p "$TMP/cbin"
	ln -s "$COUNT_WRAPPER" "$TMP/cbin/zfs"
	ln -s "$COUNT_WRAPPER" "$TMP/cbin/zpool"
	write_conf "zfs = $TMP/cbin/zfs" "zpool = $TMP/cbin/zpool"
	ZBE_REAL_ZFS=$(command -v zfs)
	ZBE_REAL_ZPOOL=$(command -v zpool)
	ZBE_COUNT_LOG=$TMP/calls
	export ZBE_REAL_ZFS ZBE_REAL_ZPOOL ZBE_COUNT_LOG
}

teardown() {
	zone_teardown
}

# counted CMD...: run it with an empty call log
counted() {
	: >"$ZBE_COUNT_LOG"
	run --separate-stderr "$@"
}

calls() { # [tool [subcommand]]: the number of logged calls
	case $# in
	0) grep -c . "$ZBE_COUNT_LOG" ;;
	1) grep -c "^$1"$'\t' "$ZBE_COUNT_LOG" ;;
	*) grep -c "^$1"$'\t'"$2 " "$ZBE_COUNT_LOG" ;;
	esac
}

# The tree reads: zfs get on zfs-fuse, zfs list on OpenZFS; the bootfs read:
# zpool list on zfs-fuse, zpool get on OpenZFS.
reads() {
	echo $(($(calls zfs get) + $(calls zfs list)))
}
bootfs_reads() {
	echo $(($(calls zpool list) + $(calls zpool get)))
}

# assert_calls WHAT EXPECTED ACTUAL: with the call log on failure
assert_calls() {
	if [ "$3" != "$2" ]; then
		printf '%s: expected %s, got %s; the calls:\n' "$1" "$2" "$3" >&2
		cut -c1-200 "$ZBE_COUNT_LOG" >&2
		return 1
	fi
}

assert_calls_at_most() { # what max actual
	if [ "$3" -gt "$2" ]; then
		printf '%s: budget %s, used %s; the calls:\n' "$1" "$2" "$3" >&2
		cut -c1-200 "$ZBE_COUNT_LOG" >&2
		return 1
	fi
}

# The driver beadm picks (lib/base/handle.c): helpers.bash's ZBT_DRIVER.
zbe_driver() {
	echo "$ZBT_DRIVER"
}
