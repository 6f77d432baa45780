#!/usr/bin/env bats
# The seed's whole story, end to end, in one test: a zone's boot
# environments (ZBEs) follow the host's BEs (GBEs).  At every step it checks
# the dataset names, the parentbe/active tags, and which ZBE is the zone's
# root (the dataset mounted at <zonepath>/root).

load helpers

setup() {
	zone_setup
}

teardown() {
	zone_teardown
}

step() {
	echo "== $*"
}

active() { prop "$(zds z1 "$1")" $ACTIVE_PROP; }
parentbe() { prop "$(zds z1 "$1")" $PARENTBE_PROP; }
zbes() { # the zone's ZBEs, by name
	zfs list -H -o name -d 1 -t filesystem "$POOL/zones/z1/rpool" | tail -n +2 | sed 's|.*/||' | sort | xargs
}

# name and user properties of every ZBE that does not belong to GBE1
foreign_zbes() {
	local d
	zfs list -H -o name -d 1 -t filesystem "$POOL/zones/z1/rpool" | tail -n +2 | while read -r d; do
		[ "$(prop "$d" $PARENTBE_PROP)" = "$GBE1_UUID" ] && continue
		echo "$d"
		user_props "$d" | sed 's/^/  /'
	done
}

@test "the seed's story: in-zone ZBEs, host BEs carrying the zone, switching, destroying" {
	step "install: ZBE1 for GBE1"
	zone_install z1
	zone_boot z1
	assert_eq "$(zbes)" "ZBE1" "ZBEs"
	assert_eq "$(parentbe ZBE1)" "$GBE1_UUID" "ZBE1 parentbe"
	assert_eq "$(active ZBE1)" on "ZBE1 active"
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "zone root"

	step "in the zone: beadm create ZBE2"
	run --separate-stderr zlogin z1 beadm create ZBE2
	assert_status 0
	assert_eq "$(zbes)" "ZBE1 ZBE2" "ZBEs"
	assert_eq "$(parentbe ZBE2)" "$GBE1_UUID" "ZBE2 parentbe"
	assert_eq "$(active ZBE2)" off "ZBE2 active"
	assert_eq "$(active ZBE1)" on "ZBE1 active"
	assert_match "$(prop "$(zds z1 ZBE2)" origin)" "^$(zds z1 ZBE1)@" "ZBE2 origin"
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "zone root"

	step "in the zone: beadm mount ZBE2 /a, write a marker, unmount"
	run --separate-stderr zlogin z1 beadm mount ZBE2 /a
	assert_status 0
	assert_eq "$(mounted_at "$(zds z1 ZBE2)")" "$ZONES/z1/root/a" "ZBE2 mounted at (host)"
	run zlogin z1 sh -c 'echo v2 >/a/etc/marker'
	assert_status 0
	assert_eq "$(cat "$ZONES/z1/root/a/etc/marker")" v2 "marker seen from the host"
	run zlogin z1 test -e /etc/marker
	assert_status 1
	run --separate-stderr zlogin z1 beadm unmount ZBE2
	assert_status 0
	assert_eq "$(mounted_at "$(zds z1 ZBE2)")" "" "ZBE2 mounted after unmount"

	step "in the zone: beadm activate ZBE2"
	run --separate-stderr zlogin z1 beadm activate ZBE2
	assert_status 0
	assert_eq "$(active ZBE2)" on "ZBE2 active"
	assert_eq "$(active ZBE1)" off "ZBE1 active"
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE1)" "zone root (not rebooted yet)"
	run --separate-stderr zlogin z1 beadm list -H
	assert_status 0
	assert_eq "$(cut -d';' -f1,3 <<<"$output" | xargs)" "ZBE1;N ZBE2;R" "in-zone list: name;active"

	step "zoneadm reboot: the zone runs on ZBE2"
	run --separate-stderr zoneadm -z z1 reboot
	assert_status 0
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE2)" "zone root"
	assert_eq "$(zlogin z1 cat /etc/marker)" v2 "marker"

	step "host: beadm create GBE2 clones ZBE2 (only) into ZBE3 for GBE2"
	local before_names gbe2_uuid
	before_names=$(zfs list -H -o name -t filesystem -r "$POOL/zones")
	run --separate-stderr beadm create GBE2
	assert_status 0
	gbe2_uuid=$(prop "$(ds GBE2)" $UUID_PROP)
	assert_match "$gbe2_uuid" "$UUID_RE" "GBE2 uuid"
	assert_eq "$(comm -13 <(echo "$before_names") <(zfs list -H -o name -t filesystem -r "$POOL/zones"))" \
	    "$(zds z1 ZBE3)" "new zone datasets"
	assert_match "$(prop "$(zds z1 ZBE3)" origin)" "^$(zds z1 ZBE2)@" "ZBE3 origin"
	assert_eq "$(parentbe ZBE3)" "$gbe2_uuid" "ZBE3 parentbe"
	assert_eq "$(active ZBE3)" on "ZBE3 active"
	assert_eq "$(zfs list -H -o name,origin -t filesystem -r "$POOL" | awk -v p="$(zds z1 ZBE1)@" 'index($2, p) == 1')" \
	    "" "clones of ZBE1"
	assert_eq "$(parentbe ZBE2)" "$GBE1_UUID" "ZBE2 parentbe"
	assert_eq "$(active ZBE2)" on "ZBE2 active"
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE2)" "zone root"

	step "switch the host to GBE2: the zone boots ZBE3"
	run --separate-stderr zoneadm -z z1 halt
	assert_status 0
	host_switch GBE2
	run --separate-stderr beadm activate GBE2
	assert_status 0
	assert_eq "$(bootfs)" "$(ds GBE2)" bootfs
	run --separate-stderr zoneadm -z z1 boot
	assert_status 0
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE3)" "zone root"
	assert_eq "$(zlogin z1 cat /etc/marker)" v2 "marker"
	run --separate-stderr zlogin z1 beadm list -H
	assert_status 0
	assert_eq "$(cut -d';' -f1,3 <<<"$output" | xargs)" "ZBE1;! ZBE2;! ZBE3;NR" "in-zone list under GBE2"
	assert_eq "$(active ZBE2)" on "ZBE2 active (for GBE1)"
	assert_eq "$(active ZBE3)" on "ZBE3 active"

	step "fall back to GBE1: the zone boots ZBE2"
	run --separate-stderr zoneadm -z z1 halt
	assert_status 0
	host_switch GBE1
	run --separate-stderr beadm activate GBE1
	assert_status 0
	run --separate-stderr zoneadm -z z1 boot
	assert_status 0
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE2)" "zone root"
	assert_eq "$(zlogin z1 cat /etc/marker)" v2 "marker"
	assert_eq "$(zbes)" "ZBE1 ZBE2 ZBE3" "ZBEs"

	step "make ZBE4 of GBE1 whose snapshot is cloned into a ZBE of GBE3"
	run --separate-stderr zlogin z1 beadm create ZBE4
	assert_status 0
	assert_eq "$(parentbe ZBE4)" "$GBE1_UUID" "ZBE4 parentbe"
	run --separate-stderr zlogin z1 beadm activate ZBE4
	assert_status 0
	assert_eq "$(active ZBE4)" on "ZBE4 active"
	assert_eq "$(active ZBE2)" off "ZBE2 active"
	run --separate-stderr beadm create GBE3
	assert_status 0
	local gbe3_uuid
	gbe3_uuid=$(prop "$(ds GBE3)" $UUID_PROP)
	assert_eq "$(zbes)" "ZBE1 ZBE2 ZBE3 ZBE4 ZBE5" "ZBEs"
	assert_match "$(prop "$(zds z1 ZBE5)" origin)" "^$(zds z1 ZBE4)@" "ZBE5 origin"
	assert_eq "$(parentbe ZBE5)" "$gbe3_uuid" "ZBE5 parentbe"
	assert_eq "$(active ZBE5)" on "ZBE5 active"
	run --separate-stderr zlogin z1 beadm activate ZBE2
	assert_status 0
	assert_eq "$(active ZBE2)" on "ZBE2 active"
	assert_eq "$(active ZBE4)" off "ZBE4 active"
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE2)" "zone root"
	# data only GBE3's ZBE has (written by the global administrator)
	run --separate-stderr beadm -z z1 mount ZBE5 "$TMP/m5"
	assert_status 0
	echo gbe3-only >"$TMP/m5/gbe3file"
	run --separate-stderr beadm -z z1 unmount ZBE5
	assert_status 0

	step "in the zone: destroy ZBE4; ZBE5 (GBE3's) is promoted, nothing of GBE2/GBE3 changes"
	local foreign_before host_before
	foreign_before=$(foreign_zbes)
	host_before=$(zfs get -H -o name,property,value -r all "$POOL/ROOT" |
	    grep -E "^$POOL/ROOT/GBE[23][[:space:]]" | grep -vE $'\t(used|usedby[a-z]*|referenced|available|written|compressratio|refcompressratio|logicalused|logicalreferenced)\t')
	run --separate-stderr zlogin z1 beadm destroy -F ZBE4
	assert_status 0
	assert_eq "$(zbes)" "ZBE1 ZBE2 ZBE3 ZBE5" "ZBEs"
	assert_same "$foreign_before" "$(foreign_zbes)" "GBE2's and GBE3's ZBEs (names, user properties)"
	local o5
	o5=$(prop "$(zds z1 ZBE5)" origin)
	assert_not_contains "$o5" "ZBE4" "ZBE5 origin"
	assert_same "$host_before" "$(zfs get -H -o name,property,value -r all "$POOL/ROOT" |
	    grep -E "^$POOL/ROOT/GBE[23][[:space:]]" | grep -vE $'\t(used|usedby[a-z]*|referenced|available|written|compressratio|refcompressratio|logicalused|logicalreferenced)\t')" \
	    "host BEs GBE2 and GBE3"
	run --separate-stderr beadm -z z1 mount ZBE5 "$TMP/m5"
	assert_status 0
	assert_eq "$(cat "$TMP/m5/gbe3file")" gbe3-only "ZBE5's own data"
	assert_eq "$(cat "$TMP/m5/etc/marker")" v2 "ZBE5's marker"
	run --separate-stderr beadm -z z1 unmount ZBE5
	assert_status 0
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE2)" "zone root"

	step "host (running GBE1): beadm destroy GBE2 removes ZBE3, leaves ZBE2 whole"
	run --separate-stderr beadm destroy -F GBE2
	assert_status 0
	exists "$(ds GBE2)" && fail "GBE2 still there"
	assert_eq "$(zbes)" "ZBE1 ZBE2 ZBE5" "ZBEs"
	assert_eq "$(parentbe ZBE2)" "$GBE1_UUID" "ZBE2 parentbe"
	assert_eq "$(active ZBE2)" on "ZBE2 active"
	assert_eq "$(parentbe ZBE5)" "$gbe3_uuid" "ZBE5 parentbe"
	assert_eq "$(active ZBE5)" on "ZBE5 active"
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE2)" "zone root"
	assert_eq "$(zlogin z1 cat /etc/marker)" v2 "marker"
	run --separate-stderr zoneadm -z z1 reboot
	assert_status 0
	assert_eq "$(zone_root_ds z1)" "$(zds z1 ZBE2)" "zone root after reboot"
	assert_eq "$(zlogin z1 cat /etc/marker)" v2 "marker after reboot"
}
