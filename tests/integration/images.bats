#!/usr/bin/env bats
# zoneadm install -a ARCHIVE: a root file system tarball (.tar, .tar.gz,
# .tar.xz, .tar.zst) unpacked beneath the new ZBE1, ids moved into the
# zone's range; nothing an archive plants reaches outside the zone root;
# an unusable archive fails with tar's reason and leaves nothing.
# Needs lxc and a zfs-fuse daemon (zone_setup in helpers.bash).

load helpers

setup() {
	zone_setup
}

teardown() {
	zone_teardown
}

id_base() {
	zonecfg -z "$1" info | awk '$1 == "id-base:" { print $2 }'
}

# The state a refused install must leave: datasets, properties, mounts,
# zone states, what is mounted below the zones' directory.
world() {
	state
	"$ZONEADM" list -cp </dev/null 3>&- 2>&1
	awk -v t="$ZONES/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo
}

# A host-made root tree at $TMP/img: the default image's files, all owned
# by host root (as debootstrap or a docker export leaves them), a user's
# file owned by 1000:1000 and a setuid-root copy of busybox.
make_tree() {
	zone_install src
	beadm -z src mount ZBE1 "$TMP/srcmnt" || fail "beadm -z src mount failed"
	mkdir -p "$TMP/img"
	cp -a "$TMP/srcmnt/." "$TMP/img/"
	beadm -z src unmount ZBE1 || fail "beadm -z src unmount failed"
	chown -hR 0:0 "$TMP/img"
	echo from-archive >"$TMP/img/etc/marker"
	mkdir -p "$TMP/img/home/u"
	echo mine >"$TMP/img/home/u/f"
	chown -R 1000:1000 "$TMP/img/home/u"
	cp "$TMP/img/bin/busybox" "$TMP/img/bin/suid"
	chmod 4755 "$TMP/img/bin/suid"
}

@test "install -a: .tar, .tar.gz, .tar.xz and .tar.zst install and boot, with the archive's ids in the zone's range" {
	make_tree
	tar -C "$TMP/img" --numeric-owner -cf "$TMP/img.tar" .
	tar -C "$TMP/img" --numeric-owner -czf "$TMP/img.tar.gz" .
	tar -C "$TMP/img" --numeric-owner -cJf "$TMP/img.tar.xz" .
	tar -C "$TMP/img" --numeric-owner --zstd -cf "$TMP/img.tar.zst" .
	local z ext b r
	for ext in tar tar.gz tar.xz tar.zst; do
		z=a${ext//./}
		zonecfg -z "$z" create -p zonepath="$ZONES/$z" || fail "zonecfg -z $z create failed"
		run --separate-stderr zoneadm -z "$z" install -a "$TMP/img.$ext"
		assert_status 0
		assert_eq "$(zone_state "$z")" installed "state of $z ($ext)"
		assert_eq "$(zfs get -H -o value org.zbe:zonestate "$(zds "$z")")" - "$z is complete"
		b=$(id_base "$z")
		r=$ZONES/$z/root
		# install leaves ZBE1 unmounted: look through a mount of our own
		beadm -z "$z" mount ZBE1 "$TMP/mnt-$z" || fail "beadm -z $z mount failed"
		r=$TMP/mnt-$z
		assert_eq "$(cat "$r/etc/marker")" from-archive "marker of $z"
		assert_eq "$(stat -c %u:%g "$r/etc/marker")" "$b:$b" "host owner of /etc/marker in $z"
		assert_eq "$(stat -c %u:%g "$r/home/u/f")" "$((b + 1000)):$((b + 1000))" "host owner of /home/u/f in $z"
		assert_eq "$(stat -c %A "$r/bin/suid")" -rwsr-xr-x "mode of the setuid file in $z"
		assert_eq "$(readlink "$r/etc/mtab")" /proc/self/mounts "the image's absolute symlink in $z"
		beadm -z "$z" unmount ZBE1 || fail "beadm -z $z unmount failed"
	done
	# the compression is told by content, not by name
	cp "$TMP/img.tar.xz" "$TMP/xz-named.tar.gz"
	zone_install named -a "$TMP/xz-named.tar.gz"
	zone_boot atargz
	assert_eq "$(zlogin atargz cat /etc/marker)" from-archive "marker seen in the zone"
	assert_eq "$(zlogin atargz stat -c %u:%g /home/u/f)" 1000:1000 "owner seen in the zone"
	assert_eq "$(zlogin atargz hostname)" atargz "hostname of the zone"
	zone_boot atarzst
	assert_eq "$(zlogin atarzst cat /etc/marker)" from-archive "marker seen in the zst zone"
}

# An archive that tries to write outside the zone root: absolute names,
# "..", a symlink out followed by a member through it (absolute and
# relative), hard links to a host file.  Made with Python's tarfile, which
# writes such members as given.
hostile_archive() { # file kind
	python3 - "$1" "$2" "$TMP/outside" <<'EOF'
import io, sys, tarfile
path, kind, outside = sys.argv[1:]
def add(t, name, data=b"pwned\n", typ=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name)
    i.type, i.linkname, i.mode = typ, link, 0o644 if typ == tarfile.REGTYPE else 0o777
    if typ == tarfile.REGTYPE:
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
    add(t, "etc/ok", b"fine\n")
    if kind == "absolute":
        add(t, outside + "/abs")                      # "/..." stripped: lands inside
    elif kind == "dotdot":
        add(t, "../../../../../../.." + outside + "/dotdot")
    elif kind == "inner-dotdot":
        add(t, "etc/../../../../../../.." + outside + "/inner-dotdot")
    elif kind == "symlink-abs":
        add(t, "out", typ=tarfile.SYMTYPE, link=outside)
        add(t, "out/through-abs")
    elif kind == "symlink-rel":
        add(t, "up", typ=tarfile.SYMTYPE, link="../../../../../../../../..")
        add(t, "up" + outside + "/through-rel")
    elif kind == "symlink-chain":
        # a link with neither "/" nor ".." at its start, to one that has
        add(t, "a", typ=tarfile.SYMTYPE, link="b")
        add(t, "b", typ=tarfile.SYMTYPE, link=outside)
        add(t, "a/through-chain")
    elif kind == "hardlink":
        add(t, "hl-abs", typ=tarfile.LNKTYPE, link=outside + "/secret")
        add(t, "hl-dotdot", typ=tarfile.LNKTYPE, link="../../../../../../.." + outside + "/secret")
EOF
}

@test "install -a: absolute names, '..' and symlinks or hard links out of the archive write nothing outside the zone root" {
	mkdir -p "$TMP/outside"
	echo secret >"$TMP/outside/secret"
	chmod 0777 "$TMP/outside"
	local before kind n=0
	for kind in absolute dotdot inner-dotdot symlink-abs symlink-rel symlink-chain hardlink; do
		n=$((n + 1))
		hostile_archive "$TMP/$kind.tar" "$kind" || fail "python3 could not write $kind.tar"
		zonecfg -z "h$n" create -p zonepath="$ZONES/h$n" || fail "zonecfg -z h$n create failed"
		before=$(world)
		run --separate-stderr zoneadm -z "h$n" install -a "$TMP/$kind.tar"
		assert_eq "$(ls -A "$TMP/outside")" secret "what is outside after the $kind archive"
		assert_eq "$(stat -c %h "$TMP/outside/secret")" 1 "links of the outside file after $kind"
		assert_eq "$(cat "$TMP/outside/secret")" secret "the outside file after $kind"
		case $kind in
		absolute)
			# tar drops the leading "/": the member lands beneath the root
			assert_status 0
			beadm -z "h$n" mount ZBE1 "$TMP/mnt" || fail "beadm -z h$n mount failed"
			assert_eq "$(cat "$TMP/mnt$TMP/outside/abs")" pwned "the absolute name, inside"
			beadm -z "h$n" unmount ZBE1 || fail "beadm -z h$n unmount failed"
			;;
		*dotdot)
			assert_status 1
			assert_match "$stderr" "^zoneadm: .*$kind.tar: tar: .*: Member name contains '\.\.'" "message for $kind"
			assert_eq "$(zone_state "h$n")" configured "state of h$n ($kind)"
			assert_same "$before" "$(world)" "world after $kind"
			;;
		*)
			# the member through the link cannot be written: the install
			# fails with tar's reason and leaves nothing
			assert_status 1
			assert_match "$stderr" "^zoneadm: .*$kind.tar: tar: " "message for $kind"
			assert_eq "$(zone_state "h$n")" configured "state of h$n ($kind)"
			assert_same "$before" "$(world)" "world after $kind"
			;;
		esac
	done
}

@test "install -a: an unusable archive fails with tar's or the decompressor's reason and leaves nothing" {
	zone_install z9
	zone_boot z9
	zonecfg -z z1 create -p zonepath="$ZONES/z1" || fail "zonecfg -z z1 create failed"
	head -c 20000 /dev/urandom >"$TMP/noise.tar"
	mkdir -p "$TMP/t/etc"
	head -c 300000 /dev/urandom >"$TMP/t/etc/big"
	tar -C "$TMP/t" -cJf "$TMP/whole.tar.xz" .
	head -c 2000 "$TMP/whole.tar.xz" >"$TMP/cut.tar.xz"
	tar -C "$TMP/t" -cf "$TMP/whole.tar" .
	head -c 150000 "$TMP/whole.tar" >"$TMP/cut.tar"
	mkdir "$TMP/adir"
	local before
	before=$(world)
	run --separate-stderr zoneadm -z z1 install -a "$TMP/noise.tar"
	assert_status 1
	assert_eq "$stderr" "zoneadm: $TMP/noise.tar: tar: This does not look like a tar archive" "noise"
	assert_same "$before" "$(world)" "world after noise"
	run --separate-stderr zoneadm -z z1 install -a "$TMP/cut.tar.xz"
	assert_status 1
	assert_match "$stderr" "^zoneadm: $TMP/cut.tar.xz: xz: .*nexpected end of input" "truncated xz"
	assert_same "$before" "$(world)" "world after a truncated .tar.xz"
	run --separate-stderr zoneadm -z z1 install -a "$TMP/cut.tar"
	assert_status 1
	assert_match "$stderr" "^zoneadm: $TMP/cut.tar: tar: Unexpected EOF in archive" "truncated tar"
	assert_same "$before" "$(world)" "world after a truncated .tar"
	run --separate-stderr zoneadm -z z1 install -a "$TMP/adir"
	assert_status 1
	assert_eq "$stderr" "zoneadm: $TMP/adir: not a tar archive (not a regular file)" "a directory"
	run --separate-stderr zoneadm -z z1 install -a "$TMP/missing.tar"
	assert_status 1
	assert_eq "$stderr" "zoneadm: $TMP/missing.tar: No such file or directory" "a missing archive"
	run --separate-stderr zoneadm -z z1 install -a "$TMP/noise.tar" -s "$TMP/adir"
	assert_status 2
	run --separate-stderr zoneadm -z z1 install -a
	assert_status 2
	assert_same "$before" "$(world)" "world"
	assert_eq "$(zone_state z9)" running "the other zone"
	# and the zone installs afterwards
	run --separate-stderr zoneadm -z z1 install -a "$TMP/whole.tar.xz"
	assert_status 0
}
