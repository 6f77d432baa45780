#!/usr/bin/env bats
# beadm list -H and -j

load helpers

LINE_RE='^([A-Za-z0-9][A-Za-z0-9._:-]*);([0-9a-f-]{36});(NR|N|R|-);([^;]*);([0-9]+);(static|auto);([0-9]+)$'

# Three BEs: GBE1 running, A active on reboot, B mounted.
make_bes() {
	beadm create A
	beadm create -d "the B" B
	beadm activate A
	beadm mount B "$TMP/bmnt"
}

@test "list -H: one name;uuid;active;mountpoint;space_bytes;policy;created_epoch line per BE" {
	make_bes
	run --separate-stderr beadm list -H
	assert_status 0
	assert_eq "$(wc -l <<<"$output")" 3 "number of lines"
	local seen="" line name uuid flags mp space created d
	while IFS= read -r line; do
		assert_match "$line" "$LINE_RE" "list -H line"
		[[ $line =~ $LINE_RE ]]
		name=${BASH_REMATCH[1]} uuid=${BASH_REMATCH[2]} flags=${BASH_REMATCH[3]}
		mp=${BASH_REMATCH[4]} space=${BASH_REMATCH[5]} created=${BASH_REMATCH[7]}
		d=$(ds "$name")
		exists "$d" || fail "$name: no dataset $d"
		assert_eq "$uuid" "$(prop "$d" $UUID_PROP)" "$name uuid"
		assert_eq "$space" "$(propp "$d" used)" "$name space"
		assert_eq "$created" "$(propp "$d" creation)" "$name created"
		case $name in
		GBE1) assert_eq "$flags;$mp" "N;$TMP/root" "GBE1 flags;mountpoint" ;;
		A) assert_eq "$flags;$mp" "R;" "A flags;mountpoint" ;;
		B) assert_eq "$flags;$mp" "-;$TMP/bmnt" "B flags;mountpoint" ;;
		*) fail "unexpected BE $name" ;;
		esac
		seen="$seen $name"
	done <<<"$output"
	assert_eq "$(tr ' ' '\n' <<<"$seen" | sort | tr '\n' ' ')" " A B GBE1 " "BEs listed"
}

@test "list -H: the running BE that is also bootfs is NR" {
	run beadm list -H
	assert_status 0
	assert_match "$output" "^GBE1;$(prop "$GBE1" $UUID_PROP);NR;$TMP/root;[0-9]+;static;[0-9]+$" "list -H"
}

@test "list -H BE lists just that BE; a missing BE fails" {
	make_bes
	run beadm list -H B
	assert_status 0
	assert_match "$output" '^B;[^;]+;-;' "list -H B"
	assert_eq "$(wc -l <<<"$output")" 1 lines
	run --separate-stderr beadm list -H NOPE
	assert_status 1
	assert_match "$stderr" '^beadm: .*NOPE' stderr
}

@test "list -j: one object keyed by BE name, numbers as numbers" {
	make_bes
	run --separate-stderr beadm list -j
	assert_status 0
	local j=$output
	jq -e . >/dev/null <<<"$j" || fail "not JSON: $j"
	assert_eq "$(jq -r 'keys | join(" ")' <<<"$j")" "A B GBE1" keys
	local b d
	for b in GBE1 A B; do
		d=$(ds "$b")
		assert_eq "$(jq -r --arg b "$b" '.[$b].space | type' <<<"$j")" number "$b space type"
		assert_eq "$(jq -r --arg b "$b" '.[$b].created | type' <<<"$j")" number "$b created type"
		assert_eq "$(jq -r --arg b "$b" '.[$b].space' <<<"$j")" "$(propp "$d" used)" "$b space"
		assert_eq "$(jq -r --arg b "$b" '.[$b].created' <<<"$j")" "$(propp "$d" creation)" "$b created"
		assert_eq "$(jq -r --arg b "$b" '.[$b].uuid' <<<"$j")" "$(prop "$d" $UUID_PROP)" "$b uuid"
		assert_eq "$(jq -r --arg b "$b" '.[$b].dataset' <<<"$j")" "$d" "$b dataset"
		assert_eq "$(jq -r --arg b "$b" '.[$b].running | type' <<<"$j")" boolean "$b running type"
	done
	assert_eq "$(jq -c '[.GBE1.running, .GBE1.active_on_reboot, .GBE1.active, .GBE1.mountpoint]' <<<"$j")" \
	    "[true,false,\"N\",\"$TMP/root\"]" GBE1
	assert_eq "$(jq -c '[.A.running, .A.active_on_reboot, .A.active, .A.mountpoint]' <<<"$j")" \
	    '[false,true,"R",null]' A
	assert_eq "$(jq -c '[.B.active, .B.mountpoint, .B.description]' <<<"$j")" \
	    "[\"-\",\"$TMP/bmnt\",\"the B\"]" B
}

@test "list -a -H and -j show datasets and snapshots" {
	beadm create A
	beadm create A@s
	run beadm list -a -j
	assert_status 0
	assert_eq "$(jq -r '.A.datasets | keys | join(" ")' <<<"$output")" "$(ds A)/var" "A datasets"
	assert_eq "$(jq -r '.A.snapshots | keys | join(" ")' <<<"$output")" "$(ds A)/var@s $(ds A)@s" "A snapshots"
	assert_eq "$(jq -r --arg d "$(ds A)/var" '.A.datasets[$d].origin' <<<"$output")" \
	    "$(prop "$(ds A)/var" origin)" "A/var origin"
	run beadm list -a -H
	assert_status 0
	assert_contains "$output" "A;$(ds A)/var;;"
	assert_contains "$output" "A;$(ds A)@s;;;"
}

@test "list (table) shows the BEs with their flags" {
	make_bes
	run --separate-stderr beadm list
	assert_status 0
	assert_match "$(head -n 1 <<<"$output")" '^BE +Active +Mountpoint +Space +Policy +Created' header
	assert_match "$output" $'\n''GBE1 +N +'"$TMP/root"' ' GBE1
	assert_match "$output" $'\n''A +R +- ' A
	assert_match "$output" $'\n''B +- +'"$TMP/bmnt"' ' B
}
