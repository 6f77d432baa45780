#!/usr/bin/env bats
# Net resources: zonecfg add net physical=BRIDGE address=A/L defrouter=G
# gives a zone a veth pair whose host end is on BRIDGE.  Each test makes its
# bridge in a network namespace of its own and boots the zones in it, so
# nothing on the machine's own network is touched; teardown halts the zones
# and deletes the namespace, and with it every link in it, also when the
# test failed.
#
# The zones run with the test's mount namespace (zone roots, pool mounts)
# but in that network namespace (nsenter --net), which takes two things:
# liblxc finds the bridge through /sys/class/net, so the test binds a
# sysfs of its namespace there (in the test run's private mount namespace,
# undone at teardown); and liblxc's command socket is an abstract one, of
# the network namespace its monitor runs in, so zoneadm, zlogin and lxc-*
# reach a zone booted there only from there too.

load helpers

BR=zbtbr0
NET=10.213.0

setup() {
	zone_setup
	NETNS=zbt-net-$$-$RANDOM
	ip netns add "$NETNS" || fail "ip netns add failed"
	ip -n "$NETNS" link set lo up
	ip -n "$NETNS" link add "$BR" type bridge
	ip -n "$NETNS" addr add "$NET.1/24" dev "$BR"
	ip -n "$NETNS" link set "$BR" up
	mkdir "$TMP/sys"
	innet mount -t sysfs sysfs "$TMP/sys" || fail "mount the namespace's sysfs"
	mount --bind "$TMP/sys/class/net" /sys/class/net || fail "bind /sys/class/net"
	mount --bind "$TMP/sys/devices/virtual/net" /sys/devices/virtual/net || fail "bind /sys/devices/virtual/net"
}

teardown() {
	local rc=0 z
	if [ -n "${NETNS-}" ] && [ -e "/run/netns/$NETNS" ] && [ -d "$TMP/run/lxc" ]; then
		for z in $(innet lxc-ls -P "$TMP/run/lxc" --running 2>/dev/null); do
			timeout 60 innet "$ZONEADM" -z "$z" halt </dev/null >/dev/null 2>&1 3>&- ||
			    innet lxc-stop -P "$TMP/run/lxc" -n "$z" -k >/dev/null 2>&1
		done
		[ -z "$(innet lxc-ls -P "$TMP/run/lxc" --running 2>/dev/null)" ] || rc=1
	fi
	mountpoint -q /sys/devices/virtual/net && umount /sys/devices/virtual/net
	mountpoint -q /sys/class/net && umount /sys/class/net
	[ -n "${TMP-}" ] && mountpoint -q "$TMP/sys" && umount "$TMP/sys"
	zone_teardown || rc=1
	[ -z "${NETNS-}" ] || ip netns del "$NETNS" 2>/dev/null || true
	[ "$rc" -eq 0 ] || fail "teardown: a zone of the test's network namespace was left running"
}

innet() { nsenter --net="/run/netns/$NETNS" "$@"; }
zlogin_net() { innet "$ZLOGIN" "$@" </dev/null 3>&-; }

# zoneadm in the test's network namespace (the helper's descriptor rules)
zoneadm_net() {
	local e rc
	e=$(mktemp "$TMP/zoneadm.err.XXXXXX")
	innet "$ZONEADM" "$@" </dev/null 2>"$e" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	rc=$?
	cat "$e" >&2
	rm -f "$e"
	return $rc
}

conf_of() { cat "$TMP/root/etc/zbe/zones/$1.conf"; }

# The host ends on the bridge, one name a line.
bridge_ports() {
	ip -n "$NETNS" -o link show master "$BR" | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

@test "two zones on a bridge ping each other and the bridge's address" {
	zone_install z1
	zone_install z2
	zonecfg -z z1 add net physical="$BR" address="$NET.2/24" defrouter="$NET.1" || fail "add net z1"
	zonecfg -z z2 add net physical="$BR" address="$NET.3/24" || fail "add net z2"
	local host_links
	host_links=$(ip -o link | awk -F': ' '{ print $2 }' | sort)
	zoneadm_net -z z1 boot || fail "boot z1"
	zoneadm_net -z z2 boot || fail "boot z2"

	run --separate-stderr zlogin_net z1 ip -4 -o addr show dev eth0
	assert_status 0
	assert_contains "$output" "inet $NET.2/24" "z1's address"
	run --separate-stderr zlogin_net z1 ip route
	assert_contains "$output" "default via $NET.1 dev eth0" "z1's default route"
	run --separate-stderr zlogin_net z2 ip route
	assert_not_contains "$output" "default" "z2 has no default route"

	run --separate-stderr zlogin_net z1 ping -c 1 -W 5 "$NET.3"
	assert_status 0
	run --separate-stderr zlogin_net z2 ping -c 1 -W 5 "$NET.2"
	assert_status 0
	run --separate-stderr zlogin_net z1 ping -c 1 -W 5 "$NET.1"
	assert_status 0
	run --separate-stderr innet busybox ping -c 1 -W 5 "$NET.3"
	assert_status 0
	# an address on no zone answers nobody
	run --separate-stderr zlogin_net z1 ping -c 1 -W 1 "$NET.9"
	[ "$status" -ne 0 ] || fail "ping of $NET.9 answered"

	# both host ends are on the test's bridge; the machine's own namespace
	# got no link
	assert_eq "$(bridge_ports | wc -l)" 2 "ports on $BR"
	assert_eq "$(ip -o link | awk -F': ' '{ print $2 }' | sort)" "$host_links" "links of the machine's namespace"
	# halted, the zone's pair is gone
	zoneadm_net -z z1 halt || fail "halt z1"
	assert_eq "$(bridge_ports | wc -l)" 1 "ports on $BR after halt"
	run --separate-stderr zlogin_net z2 ping -c 1 -W 1 "$NET.2"
	[ "$status" -ne 0 ] || fail "the halted zone answered"
}

@test "without a net resource a zone has only lo; dhcp or no address leaves the address to the zone" {
	zone_install z1
	zoneadm_net -z z1 boot || fail "boot z1"
	assert_eq "$(zlogin_net z1 ip -o link | awk -F': ' '{ print $2 }')" lo "links without a net resource"
	zoneadm_net -z z1 halt || fail "halt"
	zonecfg -z z1 add net physical="$BR" address=dhcp || fail "add dhcp"
	zonecfg -z z1 add net physical="$BR" || fail "add without address"
	run --separate-stderr zonecfg -z z1 info
	assert_contains "$output" "net: physical=$BR address=dhcp defrouter=none" "info dhcp"
	assert_contains "$output" "net: physical=$BR address=none defrouter=none" "info no address"
	run --separate-stderr zonecfg -z z1 info -j
	assert_eq "$(jq -r '.net | map([.physical, (.address // "-"), (.defrouter // "-")] | join(" ")) | join(",")' \
	    <<<"$output")" "$BR dhcp -,$BR - -" "info -j"
	zoneadm_net -z z1 boot || fail "boot z1 with two nets"
	assert_eq "$(zlogin_net z1 ip -o link | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | xargs)" \
	    "eth0 eth1 lo" "links with two net resources"
	assert_match "$(zlogin_net z1 ip -o link show dev eth0)" "state UP|,UP" "eth0 is up"
	assert_eq "$(zlogin_net z1 ip -4 -o addr show dev eth0)" "" "no address on eth0 (dhcp: the zone's own client)"
	assert_eq "$(bridge_ports | wc -l)" 2 "two ports on $BR"
	zoneadm_net -z z1 halt || fail "halt"
	zonecfg -z z1 remove net || fail "remove net"
	assert_not_contains "$(conf_of z1)" "net=" "the file after remove net"
}

@test "a zone on a bridge that does not exist does not boot and is left installed" {
	zone_install z1
	zonecfg -z z1 add net physical=nosuchbr0 address="$NET.2/24" || fail "add net"
	run --separate-stderr zoneadm_net -z z1 boot
	assert_status 1
	assert_match "$stderr" "^zoneadm: z1: cannot start" "message"
	assert_eq "$(zone_state z1)" installed "state after the failed boot"
	assert_eq "$(zone_brokers)" "" "no broker left"
	assert_eq "$(lxc-ls -P "$TMP/run/lxc" 2>/dev/null)" "" "no container left"
	assert_eq "$(bridge_ports | wc -l)" 0 "no port left on $BR"
}

@test "bad net resources are refused and change nothing" {
	zonecfg -z z1 create -p zonepath="$ZONES/z1" || fail "create failed"
	zonecfg -z z1 add net physical=br0 address=10.0.0.2/24 defrouter=10.0.0.1 || fail "add net"
	local before info args
	before=$(conf_of z1)
	info=$(zonecfg -z z1 info)
	while IFS= read -r args; do
		# shellcheck disable=SC2086
		run --separate-stderr zonecfg -z z1 add net $args
		assert_status 1
		assert_match "$stderr" "^zonecfg: " "error for: $args"
		assert_eq "$(conf_of z1)" "$before" "the file after: $args"
	done <<'LIST'
address=10.0.0.3/24
physical=abcdefghijklmnop
physical=br;x
physical=-br0
physical=..
physical= address=10.0.0.3/24
physical=br0 address=10.0.0.256/24
physical=br0 address=10.0.0.3
physical=br0 address=10.0.0.3/33
physical=br0 address=10.0.0.3/0
physical=br0 address=10.0.0.0/24
physical=br0 address=10.0.0.255/24
physical=br0 address=010.0.0.3/24
physical=br0 address=dhcpx
physical=br0 address=10.0.0.2/24
physical=br0 address=10.0.0.3/24 defrouter=10.0.1.1
physical=br0 address=10.0.0.3/24 defrouter=10.0.0.3
physical=br0 defrouter=10.0.0.1
physical=br0 address=dhcp defrouter=10.0.0.1
physical=br0 mtu=9000
physical=br0,address=10.0.0.3/24
physical=br0 bogus
LIST
	# a value with a space or a newline, as one argument
	run --separate-stderr zonecfg -z z1 add net "physical=br 0"
	assert_status 1
	run --separate-stderr zonecfg -z z1 add net "physical=br0
zonepath=/x"
	assert_status 1
	run --separate-stderr zonecfg -z z1 set "net=physical=br0,address=10.0.0.5/24
zonepath=/x"
	assert_status 1
	assert_eq "$(conf_of z1)" "$before" "the file after the refusals"
	assert_eq "$(zonecfg -z z1 info)" "$info" "info after the refusals"
	# at most eight
	local i
	for i in 3 4 5 6 7 8 9; do
		zonecfg -z z1 add net physical=br0 address="10.0.0.$i/24" || fail "add net $i"
	done
	run --separate-stderr zonecfg -z z1 add net physical=br0 address=10.0.0.10/24
	assert_status 1
	assert_match "$stderr" "at most 8 net resources" "ninth net"
	run --separate-stderr zonecfg -z z1 add net
	assert_status 2
	run --separate-stderr zonecfg -z z1 remove
	assert_status 2
}
