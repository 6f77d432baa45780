#!/usr/bin/env bats
# README.md tells the truth about this repo: its two opening commands exist
# and are what CI and tests/run do, scripts/bootstrap installs what .ci/run
# installs, every path it names exists, and its zbe.conf keys are the
# library's.  No pool, no root.
# shellcheck disable=SC2016 # the backquotes in here are Markdown, not shell

bats_require_minimum_version 1.5.0

SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# The packages an "apt-get install" command line of a script names.
packages_of() { # script
	awk '
	    /apt-get( -[^ ]+)* install/ { on = 1 }
	    on {
		line = $0
		sub(/\\$/, "", line)
		n = split(line, w, /[ \t]+/)
		for (i = 1; i <= n; i++)
			if (w[i] != "" && w[i] !~ /^-/ && w[i] != "apt-get" && w[i] != "install")
				print w[i]
		if ($0 !~ /\\$/)
			on = 0
	    }' "$1" | sort -u
}

@test "README opens with the bootstrap-and-demo command and tests/run" {
	local cmds
	# the first two indented command lines of the file
	cmds=$(grep -m2 '^    [^ ]' "$SRC/README.md" | sed 's/^    //')
	[ "$cmds" = $'scripts/bootstrap && demo/zbe-demo\ntests/run' ] ||
	    fail "README opens with: [$cmds]"
	[ -x "$SRC/scripts/bootstrap" ] || fail "scripts/bootstrap is not executable"
	[ -x "$SRC/demo/zbe-demo" ] || fail "demo/zbe-demo is not executable"
	[ -x "$SRC/tests/run" ] || fail "tests/run is not executable"
	# nothing but the title comes before them
	[ "$(grep -n -m1 '^    scripts/bootstrap' "$SRC/README.md" | cut -d: -f1)" -le 5 ] ||
	    fail "the bootstrap command is not at the top of README.md"
}

@test "CI runs exactly tests/run" {
	grep -qx 'tests/run' "$SRC/.ci/run" || fail ".ci/run does not run tests/run"
}

@test "scripts/bootstrap installs the packages .ci/run installs" {
	local ci bs
	ci=$(packages_of "$SRC/.ci/run")
	bs=$(packages_of "$SRC/scripts/bootstrap")
	[ -n "$ci" ] || fail "no apt-get install found in .ci/run"
	if [ "$ci" != "$bs" ]; then
		fail "package lists differ (< .ci/run, > scripts/bootstrap):" \
		    "$(diff <(printf '%s\n' "$ci") <(printf '%s\n' "$bs"))"
	fi
}

@test "scripts/bootstrap builds as tests/run does and as README says" {
	grep -q '^sanitize=address,undefined$' "$SRC/tests/run" || fail "tests/run no longer uses address,undefined"
	grep -q 'meson setup build -Db_sanitize=address,undefined$' "$SRC/scripts/bootstrap" ||
	    fail "scripts/bootstrap does not set up build/ with address,undefined"
	grep -q '^ninja -C build$' "$SRC/scripts/bootstrap" || fail "scripts/bootstrap does not run ninja -C build"
	grep -qF '`meson setup build -Db_sanitize=address,undefined && ninja -C build`' "$SRC/README.md" ||
	    fail "README.md does not show the build command"
}

@test "every path README.md names exists" {
	local p bad=
	# `path` tokens that start with a top-level directory of the repo
	while read -r p; do
		[ -e "$SRC/$p" ] || bad+=" $p"
	done < <(grep -o '`[^` ]*`' "$SRC/README.md" | tr -d '`' |
	    grep -E '^(\.ci|lib|cmd|tests|man|demo|scripts|docs|dist|completion|bench)/' | sed 's|/$||' | sort -u)
	[ -z "$bad" ] || fail "README.md names missing paths:$bad"
}

@test "README.md documents exactly the zbe.conf keys of lib/base/config.c" {
	local lib doc
	lib=$(grep -o 'K("[a-z_]*"' "$SRC/lib/base/config.c" | sed 's/K("//; s/"//' | sort)
	doc=$(sed -n '/^## Configuration/,/^## /p' "$SRC/README.md" | grep -o '^| `[a-z_]*`' |
	    sed 's/^| `//; s/`//' | sort)
	[ -n "$lib" ] || fail "no keys found in lib/base/config.c"
	if [ "$lib" != "$doc" ]; then
		fail "keys differ (< lib/base/config.c, > README.md):" "$(diff <(printf '%s\n' "$lib") <(printf '%s\n' "$doc"))"
	fi
}
