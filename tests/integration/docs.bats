#!/usr/bin/env bats
# Documentation: the man pages render and lint clean; the bash completion
# offers subcommands, options, BE names and zone names.  Needs mandoc (and
# man-db for `man -l` when it is installed); no pool, no root.

bats_require_minimum_version 1.5.0

SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
PAGES=(beadm.8 zoneadm.8 zonecfg.8 zlogin.1 zbe.conf.5)

fail() {
	printf '%s\n' "$*" >&2
	return 1
}

@test "every man page renders" {
	command -v mandoc >/dev/null || fail "mandoc is not installed (.ci/run installs it)"
	local p out
	for p in "${PAGES[@]}"; do
		[ -f "$SRC/man/$p" ] || fail "man/$p is missing"
		out=$(mandoc -T utf8 "$SRC/man/$p") || fail "mandoc -T utf8 man/$p failed"
		[ -n "$out" ] || fail "man/$p renders empty"
		# the NAME section names the page (strip the overstrike of bold)
		out=$(sed 's/.\x08//g' <<<"$out")
		grep -q "^NAME" <<<"$out" || fail "man/$p: no NAME section"
		grep -q "^ *${p%.*} [^ ]* " <<<"$out" || fail "man/$p: NAME does not name ${p%.*}"
		if command -v man >/dev/null; then
			out=$(MANPAGER=cat MANWIDTH=80 man -l "$SRC/man/$p" 2>&1) ||
			    fail "man -l man/$p failed: $out"
			[ -n "$out" ] || fail "man -l man/$p renders empty"
		fi
	done
}

@test "mandoc -T lint -W warning finds nothing in any man page" {
	command -v mandoc >/dev/null || fail "mandoc is not installed (.ci/run installs it)"
	local p out bad=0
	for p in "${PAGES[@]}"; do
		out=$(mandoc -T lint -W warning "$SRC/man/$p" 2>&1) || bad=1
		if [ -n "$out" ]; then
			printf '%s\n' "$out" >&2
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "man/meson.build installs every page" {
	local p
	for p in "${PAGES[@]}"; do
		grep -q "'$p'" "$SRC/man/meson.build" || fail "man/meson.build does not install $p"
	done
}

# ---- bash completion ---------------------------------------------------------

setup() {
	FAKEBIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$FAKEBIN"
	# beadm list -H: two host BEs (one with ':' in its name); -z web: zone BEs;
	# -s: snapshot lines too
	cat >"$FAKEBIN/beadm" <<'EOF'
#!/bin/sh
zone=
if [ "$1" = -z ]; then zone=$2; shift 2; fi
[ "$1" = list ] || exit 2
shift
snaps=0
for a; do [ "$a" = -s ] && snaps=1; done
if [ -n "$zone" ]; then
	echo "ZBE1;11111111-1111-1111-1111-111111111111;NR;/;1024;static;1700000000"
	echo "ZBE2;22222222-2222-2222-2222-222222222222;!;;2048;static;1700000100"
	exit 0
fi
echo "GBE1;aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa;NR;/;123456;static;1700000000"
[ $snaps -eq 1 ] && echo "GBE1;tank/ROOT/GBE1@2026-01-02-03:04:05-1;;;0;static;1700000050"
[ $snaps -eq 1 ] && echo "GBE1;tank/ROOT/GBE1/var@2026-01-02-03:04:05-1;;;0;static;1700000050"
[ $snaps -eq 1 ] && echo "GBE1;tank/ROOT/GBE1@good;;;0;static;1700000060"
echo "upd:2;bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb;-;;4096;static;1700000200"
EOF
	# zoneadm list -cp: two zones besides the global one
	cat >"$FAKEBIN/zoneadm" <<'EOF'
#!/bin/sh
[ "$1" = list ] || exit 2
echo "0:global:running:/::native:shared"
echo "1:web:running:/zones/web:cccccccc-cccc-cccc-cccc-cccccccccccc:lxc:excl"
echo "-:db:installed:/zones/db:dddddddd-dddd-dddd-dddd-dddddddddddd:lxc:excl"
EOF
	chmod +x "$FAKEBIN/beadm" "$FAKEBIN/zoneadm"
}

# complete_line LINE: run the completion registered for LINE's command in a
# fresh bash, with the fakes first in PATH and the cursor at the end of LINE
# (a trailing blank starts an empty word); COMP_WORDS is LINE split as bash
# splits it: at blanks, and around runs of the word-break characters ':',
# '=' and '@' ("upd:2" is "upd" ":" "2").  Prints COMPREPLY, one per line,
# sorted: what readline would put in place of the text after the last blank
# or word-break character.
complete_line() {
	PATH=$FAKEBIN:$PATH bash --norc --noprofile -c '
		source "$1" || exit 99
		line=$2
		COMP_WORDS=()
		read -ra blank_words <<<"$line"
		for w in "${blank_words[@]}"; do
			while [[ $w =~ ^([:=@]+|[^:=@]+)(.*)$ ]]; do
				COMP_WORDS+=("${BASH_REMATCH[1]}")
				w=${BASH_REMATCH[2]}
			done
		done
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		spec=$(complete -p "${COMP_WORDS[0]}") || exit 98
		fn=${spec#*-F }
		fn=${fn%% *}
		COMPREPLY=()
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort
	' bash "$SRC/completion/zbe.bash" "$1"
}

# assert_offers LINE EXPECTED...: completing LINE offers exactly EXPECTED
assert_offers() {
	local line=$1 want
	shift
	run complete_line "$line"
	[ "$status" -eq 0 ] || fail "completion of '$line' exited $status: $output"
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	[ "$output" = "$want" ] || fail "completion of '$line':
expected: $(echo $want)
got:      $(echo $output)"
}

@test "completion: beadm offers its subcommands" {
	assert_offers "beadm " activate check create destroy list mount unmount umount prune rename rollback run
	assert_offers "beadm r" rename rollback run
	assert_offers "beadm p" prune
	assert_offers "beadm c" check create
	assert_offers "beadm prune -" -n
	assert_offers "beadm check -" -r
	assert_offers "beadm activate -" -t
	assert_offers "beadm -v -n " activate check create destroy list mount unmount umount prune rename rollback run
	assert_offers "beadm -" -v -n -z -V --version --help
}

@test "completion: beadm activate offers the BE names of beadm list -H" {
	assert_offers "beadm activate " GBE1 upd:2
	assert_offers "beadm activate G" GBE1
	assert_offers "beadm activate -t " GBE1 upd:2
	assert_offers "beadm destroy -F " GBE1 upd:2
	assert_offers "beadm mount " GBE1 upd:2
	assert_offers "beadm rename " GBE1 upd:2
	assert_offers "beadm create -e " GBE1 upd:2
	assert_offers "beadm list -H " GBE1 upd:2
	# the new name of rename and the new BE of create are not completed
	assert_offers "beadm rename GBE1 "
	assert_offers "beadm create "
}

@test "completion: beadm -z zone offers zone names, then that zone's BEs" {
	assert_offers "beadm -z " web db
	assert_offers "beadm -z web activate " ZBE1 ZBE2
	assert_offers "beadm -vz web list " ZBE1 ZBE2
}

@test "completion: beadm options and snapshots" {
	assert_offers "beadm destroy -" -f -F -s
	assert_offers "beadm list -" -a -d -s -H -j
	assert_offers "beadm create -" -a -d -e -o
	assert_offers "beadm run -" -a -e
	# readline replaces the text after the last ':', '=' or '@'
	assert_offers "beadm rollback GBE1@" 2026-01-02-03:04:05-1 good
	assert_offers "beadm rollback GBE1 " 2026-01-02-03:04:05-1 good
	assert_offers "beadm destroy GBE1@g" good
	assert_offers "beadm destroy GBE1@2026-01-02-03:0" 04:05-1
}

@test "completion: BE names holding ':' complete after the ':'" {
	assert_offers "beadm activate up" upd:2
	assert_offers "beadm activate upd:" 2
	assert_offers "beadm activate upd:2" 2
}

@test "completion: zoneadm -z offers the zone names of zoneadm list -cp" {
	assert_offers "zoneadm -z " web db
	assert_offers "zoneadm -z w" web
	assert_offers "zoneadm -z web " install clone boot halt reboot uninstall detach attach move
	assert_offers "zoneadm -z web attach -" -x
	assert_offers "zoneadm -z web attach -x " attach-last-booted-zbe destroy-orphan-zbes deny-zbe-clone
	assert_offers "zoneadm -z web attach -x d" destroy-orphan-zbes deny-zbe-clone
	assert_offers "zoneadm -z web clone " web db
	assert_offers "zoneadm -z web clone -" -s
	assert_offers "zoneadm " list boot-autoboot halt-all
	assert_offers "zoneadm list -" -c -v -p -j
	assert_offers "zoneadm -z web uninstall -" -F
}

@test "completion: zonecfg and zlogin" {
	assert_offers "zonecfg -z " web db
	assert_offers "zonecfg -z web " create set add remove info delete
	assert_offers "zonecfg -z web set " zonepath= autoboot= be-ops= init= id-base= be-quota= \
	    capped-memory.physical= capped-cpu.ncpus= max-processes=
	assert_offers "zonecfg -z web set max-processes=" none
	assert_offers "zonecfg -z web add " net
	assert_offers "zonecfg -z web remove " net
	assert_offers "zonecfg -z web add net " physical= address= defrouter=
	assert_offers "zonecfg -z web add net address=" dhcp
	assert_offers "zonecfg -z web set be-ops=" allow deny
	assert_offers "zonecfg -z web create -p autoboot=t" true
	assert_offers "zonecfg -z web info -" -j
	# only running zones
	assert_offers "zlogin " web
}
