#!/usr/bin/env bats
# beadm create: from the running BE, from -e BE, from -e BE@snap, and
# beadm create BE@snap.

load helpers

# The properties every new BE root must have; $1 BE, $2 the source's uuid.
check_new_be() {
	local d uuid
	d=$(ds "$1")
	uuid=$(prop "$d" $UUID_PROP)
	assert_match "$uuid" "$UUID_RE" "uuid of $1"
	assert_eq "${#uuid}" 36 "uuid length"
	[ "$uuid" != "$2" ] || fail "uuid of $1 is the source's ($2)"
	assert_eq "$(prop "$d" canmount)" noauto "canmount of $d"
	assert_eq "$(prop "$d" mountpoint)" "$(root_mp)" "mountpoint of $d"
	assert_eq "$(zfs get -H -o source mountpoint "$d")" local "mountpoint source of $d"
	assert_eq "$(mounted_at "$d")" "" "mount of $d"
}

@test "create from the running BE clones root and child" {
	local src_uuid origin
	src_uuid=$(prop "$GBE1" $UUID_PROP)
	run --separate-stderr beadm create NEW
	assert_status 0
	assert_eq "$output" "" "stdout"
	exists "$(ds NEW)" || fail "no $(ds NEW)"
	exists "$(ds NEW)/var" || fail "child not cloned"
	check_new_be NEW "$src_uuid"
	origin=$(prop "$(ds NEW)" origin)
	assert_match "$origin" "^$GBE1@[^/]+$" "origin of NEW"
	assert_eq "$(prop "$(ds NEW)/var" origin)" "$GBE1/var@${origin#*@}" "origin of NEW/var"
	# the auto snapshot is marked as made by zbe
	assert_eq "$(prop "$origin" $AUTO_PROP)" on "auto property of $origin"
	# the child inherits its mountpoint (it mounts under the root)
	assert_eq "$(zfs get -H -o source mountpoint "$(ds NEW)/var")" "inherited from $(ds NEW)"
	# the running BE and bootfs are untouched
	assert_eq "$(bootfs)" "$GBE1" bootfs
	assert_eq "$(mounted_at "$GBE1")" "$TMP/root" "running BE mount"
	assert_eq "$(prop "$GBE1" $UUID_PROP)" "$src_uuid" "source uuid"
}

@test "create copies the data of the running BE" {
	echo payload >"$TMP/root/var/file"
	sync
	beadm create NEW
	assert_eq "$(be_read NEW var/file)" payload "var/file in NEW"
	assert_eq "$(be_read NEW etc-release)" host "etc-release in NEW"
}

@test "create -d sets the description, -o sets a property" {
	run beadm create -d "my new BE" -o org.example:tag=blue NEW
	assert_status 0
	assert_eq "$(prop "$(ds NEW)" $DESC_PROP)" "my new BE" description
	assert_eq "$(prop "$(ds NEW)" org.example:tag)" blue "-o property"
	check_new_be NEW "$(prop "$GBE1" $UUID_PROP)"
	run beadm list -j
	assert_status 0
	assert_eq "$(jq -r '.NEW.description' <<<"$output")" "my new BE" "list -j description"
}

@test "create copies locally set properties of the source's datasets" {
	zfs set org.example:local=yes "$GBE1/var"
	zfs set atime=off "$GBE1"
	beadm create NEW
	assert_eq "$(prop "$(ds NEW)/var" org.example:local)" yes "local user property on the child"
	assert_eq "$(zfs get -H -o source org.example:local "$(ds NEW)/var")" local "its source"
	assert_eq "$(prop "$(ds NEW)" atime)" off "atime on the root"
}

@test "create copies the loaders' properties of the source, never root= in the command line" {
	zfs set org.zfsbootmenu:commandline="quiet root=ZFS=$GBE1 loglevel=4" "$GBE1"
	zfs set org.zfsbootmenu:kernel=vmlinuz-6.1.0-zbt "$GBE1"
	beadm create NEW
	assert_eq "$(prop "$(ds NEW)" org.zfsbootmenu:commandline)" "quiet loglevel=4" commandline
	assert_eq "$(zfs get -H -o source org.zfsbootmenu:commandline "$(ds NEW)")" local "its source"
	assert_eq "$(prop "$(ds NEW)" org.zfsbootmenu:kernel)" vmlinuz-6.1.0-zbt kernel
	# root= alone: nothing is left to copy
	zfs set org.zfsbootmenu:commandline="root=zfs:AUTO" "$GBE1"
	beadm create NEW2
	assert_eq "$(zfs get -H -o source org.zfsbootmenu:commandline "$(ds NEW2)")" - "NEW2's commandline source"
}

@test "create -e BE clones another (non-running) BE" {
	beadm create A
	be_write A var/mark fromA
	local a_uuid origin
	a_uuid=$(prop "$(ds A)" $UUID_PROP)
	run beadm create -e A B
	assert_status 0
	check_new_be B "$a_uuid"
	[ "$(prop "$(ds B)" $UUID_PROP)" != "$(prop "$GBE1" $UUID_PROP)" ] || fail "B has GBE1's uuid"
	origin=$(prop "$(ds B)" origin)
	assert_match "$origin" "^$(ds A)@[^/]+$" "origin of B"
	assert_eq "$(prop "$(ds B)/var" origin)" "$(ds A)/var@${origin#*@}" "origin of B/var"
	assert_eq "$(be_read B var/mark)" fromA "data of B"
	assert_eq "$(bootfs)" "$GBE1" bootfs
}

@test "create -e BE@snap clones that snapshot and makes none" {
	beadm create GBE1@base
	echo later >"$TMP/root/var/later"
	sync
	local before
	before=$(zfs list -H -t snapshot -o name -r "$POOL" | sort)
	run beadm create -e GBE1@base S
	assert_status 0
	assert_same "$before" "$(zfs list -H -t snapshot -o name -r "$POOL" | sort)" "snapshots"
	assert_eq "$(prop "$(ds S)" origin)" "$GBE1@base" "origin of S"
	assert_eq "$(prop "$(ds S)/var" origin)" "$GBE1/var@base" "origin of S/var"
	check_new_be S "$(prop "$GBE1" $UUID_PROP)"
	assert_eq "$(be_read S var/later)" MISSING "file written after the snapshot"
}

@test "create BE@snap snapshots the BE recursively" {
	run beadm create GBE1@snap1
	assert_status 0
	exists "$GBE1@snap1" || fail "no $GBE1@snap1"
	exists "$GBE1/var@snap1" || fail "no $GBE1/var@snap1"
	# of a non-running BE too
	beadm create A
	run beadm create A@s
	assert_status 0
	assert_eq "$(snapshots_of "$(ds A)")" "$(printf '%s\n' "$(ds A)@s" "$(ds A)/var@s" | sort)" "snapshots of A"
	# no BE was made of it
	run beadm list -H
	assert_status 0
	assert_eq "$(cut -d';' -f1 <<<"$output" | sort | tr '\n' ' ')" "A GBE1 " "BEs"
}

@test "create BE@snap refuses an existing snapshot and a missing BE" {
	beadm create GBE1@snap1
	local before
	before=$(state)
	run --separate-stderr beadm create GBE1@snap1
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	run --separate-stderr beadm create NOPE@snap1
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	assert_same "$before" "$(state)"
}

@test "create refuses an existing BE name, a missing source and a missing snapshot" {
	beadm create A
	local before
	before=$(state)
	run --separate-stderr beadm create A
	assert_status 1
	assert_match "$stderr" '^beadm: .*A' stderr
	run --separate-stderr beadm create GBE1
	assert_status 1
	run --separate-stderr beadm create -e NOPE B
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	run --separate-stderr beadm create -e A@nope B
	assert_status 1
	assert_match "$stderr" '^beadm: ' stderr
	assert_same "$before" "$(state)"
}

@test "create -o refuses properties beadm manages" {
	local before
	before=$(state)
	for p in mountpoint=/x canmount=on $UUID_PROP=x $DESC_PROP=x $AUTO_PROP=on noequals =x; do
		run --separate-stderr beadm create -o "$p" NEW
		assert_status 1
		assert_match "$stderr" '^beadm: ' "stderr for -o $p"
	done
	assert_same "$before" "$(state)"
}

@test "create -a makes the new BE active on reboot" {
	run beadm create -a NEW
	assert_status 0
	assert_eq "$(bootfs)" "$(ds NEW)" bootfs
	assert_eq "$(prop "$(ds NEW)" origin)" - "origin of NEW (promoted)"
	assert_eq "$(prop "$(ds NEW)/var" origin)" - "origin of NEW/var (promoted)"
	run beadm list -H
	assert_status 0
	assert_contains "$output" "NEW;$(prop "$(ds NEW)" $UUID_PROP);R;"
	assert_contains "$output" "GBE1;$(prop "$GBE1" $UUID_PROP);N;$TMP/root;"
}

@test "create accepts a 64-character name" {
	local n64
	n64=$(printf 'b%.0s' {1..64})
	run beadm create "$n64"
	assert_status 0
	exists "$(ds "$n64")" || fail "no 64-char BE"
}

@test "repeated creates from one source in the same second get distinct snapshots" {
	beadm create A
	beadm create B
	beadm create C
	local oa ob oc
	oa=$(prop "$(ds A)" origin)
	ob=$(prop "$(ds B)" origin)
	oc=$(prop "$(ds C)" origin)
	[ "$oa" != "$ob" ] && [ "$ob" != "$oc" ] && [ "$oa" != "$oc" ] ||
	    fail "shared origins: $oa $ob $oc"
}

# Promotion moves snapshots from one dataset to another: the auto snapshot
# names along a lineage must differ, or activate fails with "conflicting
# snapshot" (see activate.bats, the A -> B -> C chain).
@test "auto snapshot names are unique along a lineage" {
	beadm create A
	beadm create -e A B
	beadm create -e B C
	local oa ob oc
	oa=$(prop "$(ds A)" origin)
	ob=$(prop "$(ds B)" origin)
	oc=$(prop "$(ds C)" origin)
	oa=${oa#*@} ob=${ob#*@} oc=${oc#*@}
	[ "$oa" != "$ob" ] && [ "$ob" != "$oc" ] && [ "$oa" != "$oc" ] ||
	    fail "auto snapshot names repeat along GBE1 -> A -> B -> C: $oa $ob $oc"
}
