#!/usr/bin/env bats
# zoneadm install -t debian: ZBE1 from the Debian image in the image cache
# (debootstrap from apt's mirror the first time on a machine, about a
# minute; then unpacked from the cache), systemd as init, the zone's
# hostname and beadm; a beadm run apt transaction inside the zone.
# Needs lxc, debootstrap and, while the cache is empty, the mirror: with
# no network the first install fails and says why (nothing is skipped).
# The cache is the machine's (/var/cache/zbe/images): tests share it.

load helpers

CACHE=/var/cache/zbe/images

setup() {
	zone_setup
	write_conf "subuid_file = $TMP/subuid" "subgid_file = $TMP/subgid" "image_cache = $CACHE"
}

teardown() {
	zone_teardown
}

entries() {
	ls "$CACHE" 2>/dev/null | grep -E '^debian-bookworm-[0-9]{8}\.tar\.zst$'
}

debian_zone() { # zone: configured and installed with -t debian
	zonecfg -z "$1" create -p zonepath="$ZONES/$1" || fail "zonecfg -z $1 create failed"
	run --separate-stderr zoneadm -z "$1" install -t debian
	[ "$status" -eq 0 ] || fail "zoneadm -z $1 install -t debian failed (exit $status): $stderr"
}

# systemd's own verdict once it has settled (running, or degraded with
# the failed units named).  Its socket appears a moment after the start:
# until then systemctl cannot connect.
system_state() { # zone
	local s i
	for i in $(seq 60); do
		s=$(timeout 120 "$ZLOGIN" "$1" systemctl is-system-running --wait </dev/null 3>&- 2>&1) || true
		case $s in *"Failed to connect to bus"*) sleep 1 ;; *) break ;; esac
	done
	echo "$s"
	if [ "$s" != running ]; then
		"$ZLOGIN" "$1" systemctl --failed --no-legend </dev/null 3>&- 2>&1 | sed 's/^/failed unit: /' || true
	fi
	return 0
}

# Boot the zone and wait until systemd is done starting: its
# systemd-tmpfiles empties /tmp on the way.
debian_boot() { # zone
	zone_boot "$1"
	system_state "$1" >/dev/null
}

# A package of our own, arch all, no dependencies: a file under /usr/share.
make_deb() { # file
	mkdir -p "$TMP/pkg/DEBIAN" "$TMP/pkg/usr/share/zbe-test"
	cat >"$TMP/pkg/DEBIAN/control" <<EOF
Package: zbe-test-pkg
Version: 1.0
Architecture: all
Maintainer: zbe tests <root@localhost>
Description: zbe test package
EOF
	echo hello >"$TMP/pkg/usr/share/zbe-test/hello"
	dpkg-deb --root-owner-group -b "$TMP/pkg" "$1" >/dev/null || fail "dpkg-deb failed"
}

@test "install -t debian: ZBE1 from the image cache, systemd boots, the zone's hostname and beadm" {
	debian_zone d1
	assert_eq "$(entries | wc -l)" 1 "cache entries after the first install"
	local entry
	entry=$(entries)
	# the second install unpacks the cache: a debootstrap that fails is
	# never run
	mkdir -p "$TMP/bin"
	printf '#!/bin/sh\necho ran >%s/debootstrap-ran\nexit 1\n' "$TMP" >"$TMP/bin/debootstrap"
	chmod +x "$TMP/bin/debootstrap"
	zonecfg -z d2 create -p zonepath="$ZONES/d2" || fail "zonecfg -z d2 create failed"
	PATH=$TMP/bin:$PATH run --separate-stderr zoneadm -z d2 install -t debian
	assert_status 0
	[ ! -e "$TMP/debootstrap-ran" ] || fail "the second install ran debootstrap"
	assert_eq "$(entries)" "$entry" "cache entry after the second install"
	zone_boot d1
	local st
	st=$(system_state d1)
	echo "systemctl is-system-running: $st" >&3
	assert_match "$(head -1 <<<"$st")" "^(running|degraded)$" "systemd's state in d1: $st"
	assert_eq "$(zlogin d1 cat /proc/1/comm)" systemd "init of d1"
	assert_eq "$(zlogin d1 hostname)" d1 "hostname of d1"
	assert_eq "$(zlogin d1 cat /etc/hostname)" d1 "/etc/hostname of d1"
	assert_eq "$(stat -c %u "$ZONES/d1/root/etc/hostname")" "$(zonecfg -z d1 info | awk '$1 == "id-base:" { print $2 }')" "host owner of d1's /etc/hostname"
	run zlogin d1 beadm list -H
	assert_status 0
	assert_match "$output" "^ZBE1;" "beadm list in d1"
	# halt: systemd takes lxc's SIGPWR as halt
	run --separate-stderr zoneadm -z d1 halt
	assert_status 0
	assert_eq "$(zone_state d1)" installed "d1 after halt"
}

@test "beadm run in the Debian zone: apt-get installs a local .deb into the new ZBE, not into the running one" {
	debian_zone d1
	debian_boot d1
	make_deb "$TMP/x.deb"
	"$ZLOGIN" d1 sh -c 'cat >/tmp/x.deb' <"$TMP/x.deb" 3>&- || fail "copying x.deb into d1 failed"
	run --separate-stderr zlogin d1 beadm run -a ZBE2 -- apt-get install -y /tmp/x.deb
	echo "$output" | tail -5 >&3
	[ "$status" -eq 0 ] || fail "beadm run apt-get failed ($status): $output $stderr"
	# the running ZBE is as it was
	run zlogin d1 dpkg-query -W -f '${Status}' zbe-test-pkg
	assert_not_contains "$output" "install ok installed" "the package in the running ZBE1"
	[ ! -e "$ZONES/d1/root/usr/share/zbe-test/hello" ] || fail "the package's file is in ZBE1"
	# the new one has it, and is active
	run zlogin d1 beadm list -H
	assert_match "$(grep '^ZBE2;' <<<"$output")" "^ZBE2;[^;]*;R;" "ZBE2 active on reboot"
	run --separate-stderr zoneadm -z d1 reboot
	assert_status 0
	assert_eq "$(zone_root_ds d1)" "$(zds d1 ZBE2)" "root of d1 after reboot"
	assert_eq "$(zlogin d1 dpkg-query -W -f '${Status}' zbe-test-pkg)" "install ok installed" "the package in ZBE2"
	assert_eq "$(zlogin d1 cat /usr/share/zbe-test/hello)" hello "the package's file in ZBE2"
}

@test "apt hook in the Debian zone: with apt_snapshot = on, a real apt-get install makes one automatic ZBE through the broker" {
	debian_zone d1
	debian_boot d1
	# installed as the package installs it
	assert_eq "$(zlogin d1 cat /etc/apt/apt.conf.d/80zbe | grep -c zbe-apt-hook)" 2 "80zbe in d1"
	run zlogin d1 test -x /usr/libexec/zbe/zbe-apt-hook
	assert_status 0
	zlogin d1 sh -c 'mkdir -p /etc/zbe && echo "apt_snapshot = on" >/etc/zbe/zbe.conf' || fail "zbe.conf in d1"
	make_deb "$TMP/x.deb"
	"$ZLOGIN" d1 sh -c 'cat >/tmp/x.deb' <"$TMP/x.deb" 3>&- || fail "copying x.deb into d1 failed"
	local before
	before=$(zlogin d1 beadm list -H | cut -d';' -f1)
	run --separate-stderr zlogin d1 apt-get install -y /tmp/x.deb
	echo "$output" | grep -i zbe >&3 || true
	assert_status 0
	assert_contains "$output" "zbe-apt-hook: boot environment apt-" "the hook's line"
	assert_eq "$(zlogin d1 dpkg-query -W -f '${Status}' zbe-test-pkg)" "install ok installed" "the package in the running ZBE"
	local after new
	after=$(zlogin d1 beadm list -H | cut -d';' -f1)
	new=$(comm -13 <(sort <<<"$before") <(sort <<<"$after"))
	assert_eq "$(wc -l <<<"$new")" 1 "new ZBEs (before: $before; after: $after)"
	assert_match "$new" "^apt-[0-9]{8}-[0-9]{6}" "name of the new ZBE"
	assert_eq "$(zfs get -H -o value org.opensolaris.libbe:policy "$(zds d1 "$new")")" auto "policy of $new"
	assert_contains "$(zfs get -H -o value "$DESC_PROP" "$(zds d1 "$new")")" zbe-test-pkg "description of $new"
	# taken before the transaction: the package is not in it
	beadm -z d1 mount "$new" "$TMP/mnt" || fail "beadm -z d1 mount $new failed"
	[ ! -e "$TMP/mnt/usr/share/zbe-test/hello" ] || fail "the package's file is in $new"
	beadm -z d1 unmount "$new" || fail "beadm -z d1 unmount $new failed"
}

@test "install -t: an unknown image or a bad release is refused and makes nothing" {
	zonecfg -z d1 create -p zonepath="$ZONES/d1" || fail "zonecfg -z d1 create failed"
	local before
	before=$(state)
	run --separate-stderr zoneadm -z d1 install -t fedora
	assert_status 2
	assert_eq "$stderr" "zoneadm: fedora: unknown image (the images are: debian)" "unknown image"
	run --separate-stderr zoneadm -z d1 install -t debian -r 'Bad;name'
	assert_status 1
	assert_match "$stderr" "^zoneadm: .*Bad;name: not a Debian release name" "bad release"
	run --separate-stderr zoneadm -z d1 install -r bookworm
	assert_status 2
	assert_same "$before" "$(state)" "world"
	assert_eq "$(zone_state d1)" configured "state of d1"
}
