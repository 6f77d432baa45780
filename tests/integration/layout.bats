#!/usr/bin/env bats
# The host BE layout: a host BE root is mountpoint=/, canmount=noauto, its
# children inherit; a zone's BEs stay legacy.  A host BE an earlier zbe
# made (legacy) still lists, mounts, activates and is cloned, and its clone
# gets the new layout.  A pool whose altroot is not system_root is refused
# before anything changes: a BE at "/" would be mounted over the machine's /.

load helpers

# A host BE as an earlier zbe made it: legacy root, a child inheriting it,
# a kernel in its /boot.
legacy_be() { # be
	local d
	d=$(ds "$1")
	zfs create -o mountpoint=legacy -o canmount=noauto -o "$UUID_PROP=$(uuidgen)" "$d"
	zfs create -o canmount=noauto "$d/var"
	raw_mount "$1" "$TMP/w"
	mkdir -p "$TMP/w/boot" "$TMP/w/var/lib"
	touch "$TMP/w/boot/vmlinuz-6.1.0-zbt" "$TMP/w/boot/initrd.img-6.1.0-zbt"
	echo old >"$TMP/w/var/lib/marker"
	raw_unmount "$1"
	assert_eq "$(prop "$d" mountpoint)" legacy "the legacy BE's mountpoint"
}

@test "a new host BE is mountpoint=/ and canmount=noauto; its child inherits both ways" {
	run --separate-stderr beadm create NEW
	assert_status 0
	assert_eq "$(zfs get -H -o value,source mountpoint "$(ds NEW)")" "$(root_mp)	local" "NEW mountpoint"
	assert_eq "$(zfs get -H -o value,source canmount "$(ds NEW)")" "noauto	local" "NEW canmount"
	assert_eq "$(zfs get -H -o value,source mountpoint "$(ds NEW)/var")" \
	    "$(root_mp)/var	inherited from $(ds NEW)" "NEW/var mountpoint"
	assert_eq "$(prop "$(ds NEW)/var" canmount)" noauto "NEW/var canmount"
	assert_eq "$(mounted_at "$(ds NEW)")" "" "NEW mounted"
	assert_eq "$(mounted_at "$(ds NEW)/var")" "" "NEW/var mounted"
	# mounted, unmounted: given back its mountpoint
	run --separate-stderr beadm mount NEW "$TMP/m"
	assert_status 0
	assert_eq "$(mounted_at "$(ds NEW)")" "$TMP/m" "NEW mounted at"
	assert_eq "$(mounted_at "$(ds NEW)/var")" "$TMP/m/var" "NEW/var mounted at"
	run --separate-stderr beadm unmount NEW
	assert_status 0
	assert_eq "$(zfs get -H -o value,source mountpoint "$(ds NEW)")" "$(root_mp)	local" "NEW mountpoint after unmount"
}

@test "a host BE of an earlier zbe (legacy) lists, mounts, activates, and its clone has the new layout" {
	legacy_be OLD
	run --separate-stderr beadm list -H
	assert_status 0
	assert_contains "$output" "OLD;" "list"
	run --separate-stderr beadm mount OLD "$TMP/m"
	assert_status 0
	assert_eq "$(cat "$TMP/m/var/lib/marker")" old "OLD's files"
	run --separate-stderr beadm unmount OLD
	assert_status 0
	assert_eq "$(mounted_at "$(ds OLD)")" "" "OLD mounted after unmount"
	# OpenZFS mounts it with mount(2), its properties untouched; zfs-fuse
	# sets its temporary mountpoint back to zbe's layout
	if on_openzfs; then
		assert_eq "$(prop "$(ds OLD)" mountpoint)" legacy "OLD's mountpoint after unmount"
	else
		assert_eq "$(prop "$(ds OLD)" mountpoint)" "$(root_mp)" "OLD's mountpoint after unmount"
	fi
	run --separate-stderr beadm create -e OLD FROMOLD
	assert_status 0
	assert_eq "$(zfs get -H -o value,source mountpoint "$(ds FROMOLD)")" "$(root_mp)	local" "FROMOLD mountpoint"
	assert_eq "$(zfs get -H -o source mountpoint "$(ds FROMOLD)/var")" "inherited from $(ds FROMOLD)" \
	    "FROMOLD/var mountpoint source"
	assert_eq "$(be_read FROMOLD var/lib/marker)" old "FROMOLD's files"
	run --separate-stderr beadm activate OLD
	assert_status 0
	assert_eq "$(bootfs)" "$(ds OLD)" bootfs
	assert_eq "$(mounted_at "$(ds OLD)")" "" "OLD mounted after the look"
	run --separate-stderr beadm list -H
	assert_eq "$(awk -F';' '$1 == "OLD" { print $3 }' <<<"$output")" R "OLD's flags"
}

# The world of an earlier zbe's tests: a pool without altroot, its running
# BE legacy and mounted at system_root through a mountpoint of its own.
no_altroot_world() {
	POOL2=${POOL}_n
	truncate -s 128M "$TMP/disk2"
	zpool create -o cachefile=none -m none "$POOL2" "$TMP/disk2" >/dev/null 2>&1 || fail "zpool create $POOL2 failed"
	zfs create -o mountpoint=none "$POOL2/ROOT"
	zfs create -o mountpoint=legacy -o canmount=noauto -o "$UUID_PROP=$(uuidgen)" "$POOL2/ROOT/R"
	zfs create -o mountpoint=legacy -o canmount=noauto -o "$UUID_PROP=$(uuidgen)" "$POOL2/ROOT/B"
	mkdir -p "$TMP/root2"
	zfs set mountpoint="$TMP/root2" "$POOL2/ROOT/R"
	mount_unmounted "$POOL2/ROOT/R"
	zpool set bootfs="$POOL2/ROOT/R" "$POOL2"
	mkdir -p "$TMP/root2/boot"
	touch "$TMP/root2/boot/vmlinuz-6.1.0-zbt" "$TMP/root2/boot/initrd.img-6.1.0-zbt"
	write_conf
	sed -i "s|^system_root = .*|system_root = $TMP/root2|" "$TMP/zbe.conf"
}

# what a refused command must leave alone in POOL2: properties, mounts, bootfs
pool2_state() {
	zfs get -H -r -o name,property,value,source all "$POOL2" |
	    awk -F'\t' '$2 !~ /^(used|usedby.*|referenced|available|written|logicalused|logicalreferenced)$/' | sort
	awk -v p="$POOL2" '$3 == "fuse.zfs" && index($1, p) == 1 { print $1, $2 }' /proc/self/mounts | sort
	zpool list -H -o bootfs "$POOL2"
}

teardown() {
	if [ -n "${POOL2-}" ] && zpool list "$POOL2" >/dev/null 2>&1; then
		zpool destroy -f "$POOL2" || fail "teardown: cannot destroy $POOL2"
	fi
	zbt_teardown
}

@test "a pool without altroot, system_root not /: what would put a BE at / is refused, nothing changed" {
	on_openzfs && skip "the world of an earlier zbe's zfs-fuse tests"
	no_altroot_world
	before=$(pool2_state)
	for args in "create NEW" "mount B $TMP/m" "activate B" "unmount B"; do
		# shellcheck disable=SC2086
		run --separate-stderr beadm $args
		assert_status 1
		assert_eq "$stderr" "beadm: $POOL2: the pool has no altroot, but system_root is $TMP/root2: a boot environment with mountpoint=/ would be mounted over this machine's /; import the pool with zpool import -R $TMP/root2" "beadm $args"
		after=$(pool2_state)
		assert_same "$before" "$after" "pool after beadm $args"
	done
	[ ! -e "$TMP/m" ] || fail "mount made $TMP/m"
	# reading is not refused
	run --separate-stderr beadm list -H
	assert_status 0
	assert_contains "$output" "R;" "list"
}
