# bash completion for zbe: beadm(8), zoneadm(8), zonecfg(8), zlogin(1).
#
# Installed as <completionsdir>/beadm, with zoneadm, zonecfg and zlogin as
# symlinks to it, so that bash-completion loads it on demand for any of the
# four; sourcing it by hand works too (it needs nothing from bash-completion).
#
# BE names come from `beadm [-z zone] list -H` (first ';' field), snapshots
# from `beadm [-z zone] list -H -s beName`, zone names from
# `zoneadm list -cp` (second ':' field).

# The command line's words, with the words bash split at ':', '=' or '@'
# (COMP_WORDBREAKS) joined again: BE and snapshot names hold ':', snapshots
# are beName@snapshot, and zonecfg takes key=value.  Sets words, cword, cur.
_zbe_words() {
	local rest=${COMP_LINE-} w trimmed i n=-1 glue line=0
	[[ -n ${COMP_LINE+set} ]] && line=1
	words=()
	cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		glue=0
		if ((line)); then
			trimmed=${rest#"${rest%%[![:space:]]*}"}
			if ((i > 0 && ${#trimmed} == ${#rest})) &&
			    [[ $w == [:=@]* || ${words[n]} == *[:=@] ]]; then
				glue=1
			fi
			if [[ $trimmed == "$w"* ]]; then
				rest=${trimmed:${#w}}
			else
				line=0 # the line does not match the words: stop joining
			fi
		fi
		if ((glue)); then
			words[n]+=$w
		else
			words[++n]=$w
		fi
		((i == COMP_CWORD)) && cword=$n
	done
	((COMP_CWORD >= ${#COMP_WORDS[@]})) && words[++n]= && cword=$n
	cur=${words[cword]-}
}

# COMPREPLY = the arguments that start with $cur.  Readline replaces only
# the part of $cur after its last word-break character: strip the rest.
_zbe_reply() {
	local w c brk='' prefix=''
	COMPREPLY=()
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
	for c in : = @; do
		[[ ${COMP_WORDBREAKS-} == *"$c"* ]] && brk+=$c
	done
	if [[ -n $brk && $cur == *["$brk"]* ]]; then
		prefix=${cur%"${cur##*["$brk"]}"}
		for w in "${!COMPREPLY[@]}"; do
			COMPREPLY[w]=${COMPREPLY[w]#"$prefix"}
		done
	fi
}

_zbe_nospace() {
	compopt -o nospace 2>/dev/null
}

_zbe_files() { # $1: -f (files and directories) or -d (directories)
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen "$1" -- "$cur")
}

# BE names of the host, or of zone $1.
_zbe_be_names() {
	local name rest
	local -a zopt=()
	[[ -n ${1-} ]] && zopt=(-z "$1")
	beadm "${zopt[@]}" list -H 2>/dev/null | while IFS=';' read -r name rest; do
		[[ -n $name ]] && printf '%s\n' "$name"
	done
}

# beName@snapshot for each snapshot of BE $1 (of zone $2).
_zbe_snapshots() {
	local be=$1 name ds rest
	local -a zopt=()
	[[ -n ${2-} ]] && zopt=(-z "$2")
	beadm "${zopt[@]}" list -H -s "$be" 2>/dev/null | while IFS=';' read -r name ds rest; do
		[[ $name == "$be" && $ds == *@* ]] && printf '%s@%s\n' "$be" "${ds#*@}"
	done | sort -u
}

# Zone names from `zoneadm list -cp`; with $1, only zones in that state.
_zbe_zone_names() {
	local name state rest
	zoneadm list -cp 2>/dev/null | while IFS=: read -r _ name state rest; do
		[[ -n $name && $name != global ]] || continue
		[[ -z ${1-} || $state == "$1" ]] && printf '%s\n' "$name"
	done
}

# Complete a BE name, or beName@snapshot once $cur holds '@'.
_zbe_be_or_snapshot() { # $1: zone
	local -a list
	if [[ $cur == *@* ]]; then
		mapfile -t list < <(_zbe_snapshots "${cur%%@*}" "${1-}")
	else
		mapfile -t list < <(_zbe_be_names "${1-}")
	fi
	_zbe_reply "${list[@]}"
}

# Walk words[from..cword-1] of a subcommand whose options taking an argument
# are the letters in $2: sets pos (index of the operand being completed, -1
# for an option), optarg (the option whose argument is being completed) and
# dashdash (index of the word after "--", or 0).
_zbe_scan() { # $1: first word after the subcommand, $2: options with argument
	local i=$1 w j c
	pos=0 optarg='' dashdash=0
	while ((i < cword)); do
		w=${words[i]}
		if ((dashdash)); then
			:
		elif [[ $w == -- ]]; then
			dashdash=$((i + 1))
			pos=0
			((i++))
			continue
		elif [[ $w == -?* ]]; then
			for ((j = 1; j < ${#w}; j++)); do
				c=${w:j:1}
				if [[ -n $2 && $2 == *"$c"* ]]; then
					if ((j == ${#w} - 1)); then
						((i + 1 == cword)) && optarg=-$c
						((i++))
					fi
					break
				fi
			done
			((i++))
			continue
		fi
		((pos++))
		((i++))
	done
	if ((dashdash)); then
		pos=$((cword - dashdash))
	elif [[ -z $optarg && $cur == -* ]]; then
		pos=-1
	fi
}

_zbe_beadm() {
	local cur words cword i=1 w zone='' sub pos optarg dashdash
	local -a list
	_zbe_words

	# global options: -v -n -z zone (also clustered, as getopt takes them)
	while ((i < cword)); do
		w=${words[i]}
		[[ $w == -[vnz]* ]] || break
		if [[ $w == *z* ]]; then
			zone=${w#*z}
			if [[ -z $zone ]]; then
				if ((i + 1 == cword)); then
					mapfile -t list < <(_zbe_zone_names)
					_zbe_reply "${list[@]}"
					return 0
				fi
				zone=${words[i + 1]}
				((i++))
			fi
		fi
		((i++))
	done
	if ((i == cword)); then
		if [[ $cur == -* ]]; then
			if ((i == 1)); then
				_zbe_reply -v -n -z -V --version --help
			else
				_zbe_reply -v -n -z
			fi
		else
			_zbe_reply activate check create destroy list mount unmount umount \
			    prune rename rollback run
		fi
		return
	fi

	sub=${words[i]}
	case $sub in
	activate)
		_zbe_scan $((i + 1)) ""
		if ((pos == -1)); then
			_zbe_reply -t
		elif ((pos == 0)); then
			mapfile -t list < <(_zbe_be_names "$zone")
			_zbe_reply "${list[@]}"
		fi
		;;
	create)
		_zbe_scan $((i + 1)) deo
		case $optarg in
		-e) _zbe_be_or_snapshot "$zone" ;;
		-d | -o) ;;
		*) ((pos == -1)) && _zbe_reply -a -d -e -o ;;
		esac
		;;
	destroy)
		_zbe_scan $((i + 1)) ""
		if ((pos == -1)); then
			_zbe_reply -f -F -s
		elif ((pos == 0)); then
			_zbe_be_or_snapshot "$zone"
		fi
		;;
	list)
		_zbe_scan $((i + 1)) ""
		if ((pos == -1)); then
			_zbe_reply -a -d -s -H -j
		elif ((pos == 0)); then
			mapfile -t list < <(_zbe_be_names "$zone")
			_zbe_reply "${list[@]}"
		fi
		;;
	mount)
		_zbe_scan $((i + 1)) ""
		if ((pos == 0)); then
			mapfile -t list < <(_zbe_be_names "$zone")
			_zbe_reply "${list[@]}"
		elif ((pos == 1)); then
			_zbe_files -d
		fi
		;;
	unmount | umount)
		_zbe_scan $((i + 1)) ""
		if ((pos == -1)); then
			_zbe_reply -f
		elif ((pos == 0)); then
			if [[ $cur == /* ]]; then
				_zbe_files -d
			else
				mapfile -t list < <(_zbe_be_names "$zone")
				_zbe_reply "${list[@]}"
			fi
		fi
		;;
	prune)
		_zbe_scan $((i + 1)) ""
		((pos == -1)) && _zbe_reply -n
		;;
	check)
		_zbe_scan $((i + 1)) ""
		((pos == -1)) && _zbe_reply -r
		;;
	rename)
		_zbe_scan $((i + 1)) ""
		if ((pos == 0)); then
			mapfile -t list < <(_zbe_be_names "$zone")
			_zbe_reply "${list[@]}"
		fi
		;;
	rollback)
		_zbe_scan $((i + 1)) ""
		if ((pos == 0)); then
			_zbe_be_or_snapshot "$zone"
		elif ((pos == 1)); then
			# the BE is the first operand: offer its bare snapshot names
			for ((w = i + 1; w < cword; w++)); do
				[[ ${words[w]} == -* ]] || break
			done
			mapfile -t list < <(_zbe_snapshots "${words[w]}" "$zone")
			list=("${list[@]#*@}")
			_zbe_reply "${list[@]}"
		fi
		;;
	run)
		_zbe_scan $((i + 1)) e
		if [[ $optarg == -e ]]; then
			_zbe_be_or_snapshot "$zone"
		elif ((dashdash)); then
			if ((pos == 0)); then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				_zbe_files -f
			fi
		elif ((pos == -1)); then
			_zbe_reply -a -e
		elif ((pos == 1)); then
			_zbe_reply --
		fi
		;;
	esac
	return 0
}

_zbe_zoneadm() {
	local cur words cword i=1 zone='' sub pos optarg dashdash
	local -a list
	_zbe_words

	if ((cword >= 2)) && [[ ${words[1]} == -z ]]; then
		zone=${words[2]}
		i=3
	fi
	if ((cword == 2)) && [[ ${words[1]} == -z ]]; then
		mapfile -t list < <(_zbe_zone_names)
		_zbe_reply "${list[@]}"
		return 0
	fi
	if ((i == cword)); then
		if [[ -n $zone ]]; then
			_zbe_reply install clone boot halt reboot uninstall detach attach move
		elif [[ $cur == -* ]]; then
			_zbe_reply -z
		else
			_zbe_reply list boot-autoboot halt-all
		fi
		return 0
	fi
	sub=${words[i]}
	case $sub in
	list)
		_zbe_scan $((i + 1)) ""
		((pos == -1)) && _zbe_reply -c -v -p -j
		;;
	install)
		_zbe_scan $((i + 1)) asrt
		if [[ $optarg == -s || $optarg == -a ]]; then
			_zbe_files -f
		elif [[ $optarg == -t ]]; then
			_zbe_reply debian
		elif [[ $optarg == -r ]]; then
			_zbe_reply bookworm trixie bullseye
		elif ((pos == -1)); then
			_zbe_reply -a -s -t -r
		fi
		;;
	uninstall)
		_zbe_scan $((i + 1)) ""
		((pos == -1)) && _zbe_reply -F
		;;
	attach)
		_zbe_scan $((i + 1)) x
		if [[ $optarg == -x ]]; then
			_zbe_reply attach-last-booted-zbe destroy-orphan-zbes deny-zbe-clone
		elif ((pos == -1)); then
			_zbe_reply -x
		fi
		;;
	move)
		_zbe_scan $((i + 1)) ""
		((pos == 0)) && _zbe_files -d
		;;
	clone)
		_zbe_scan $((i + 1)) s
		if [[ -z $optarg ]] && ((pos == 0)); then
			mapfile -t list < <(_zbe_zone_names)
			_zbe_reply "${list[@]}"
		elif [[ -z $optarg ]] && ((pos == -1)); then
			_zbe_reply -s
		fi
		;;
	esac
	return 0
}

# zonecfg key=value: keys, then the values of the keys that have a fixed set.
_zbe_zonecfg_kv() { # $1: "create" or "set"
	local -a list
	case $cur in
	autoboot=*) _zbe_reply autoboot=true autoboot=false ;;
	be-ops=*) _zbe_reply be-ops=allow be-ops=deny ;;
	zonepath=*)
		mapfile -t list < <(compgen -d -- "${cur#zonepath=}")
		list=("${list[@]/#/zonepath=}")
		_zbe_reply "${list[@]}"
		_zbe_nospace
		;;
	max-processes=* | capped-memory.physical=* | capped-cpu.ncpus=*) _zbe_reply "${cur%%=*}=none" ;;
	*=*) ;;
	*)
		_zbe_reply zonepath= autoboot= be-ops= init= id-base= be-quota= capped-memory.physical= \
		    capped-cpu.ncpus= max-processes=
		_zbe_nospace
		;;
	esac
}

# zonecfg add net: its properties; address=dhcp.  Bridges from the host's
# network namespace (/sys/class/net/*/bridge).
_zbe_zonecfg_net() {
	local -a list
	local b
	case $cur in
	physical=*)
		for b in /sys/class/net/*/bridge; do
			[[ -d $b ]] || continue
			b=${b%/bridge}
			list+=("physical=${b##*/}")
		done
		_zbe_reply "${list[@]}"
		;;
	address=*) _zbe_reply address=dhcp ;;
	*=*) ;;
	*)
		_zbe_reply physical= address= defrouter=
		_zbe_nospace
		;;
	esac
}

_zbe_zonecfg() {
	local cur words cword sub pos optarg dashdash
	local -a list
	_zbe_words

	if ((cword == 1)); then
		_zbe_reply -z
		return 0
	fi
	if ((cword == 2)); then
		[[ ${words[1]} == -z ]] || return 0
		mapfile -t list < <(_zbe_zone_names)
		_zbe_reply "${list[@]}"
		return 0
	fi
	if ((cword == 3)); then
		_zbe_reply create set add remove info delete
		return 0
	fi
	sub=${words[3]}
	case $sub in
	create)
		_zbe_scan 4 p
		if [[ $optarg == -p ]]; then
			_zbe_zonecfg_kv
		elif ((pos == -1)); then
			_zbe_reply -p
		fi
		;;
	set)
		_zbe_scan 4 ""
		((pos >= 0)) && _zbe_zonecfg_kv
		;;
	add | remove)
		if ((cword == 4)); then
			_zbe_reply net
		elif [[ $sub == add && ${words[4]} == net ]]; then
			_zbe_zonecfg_net
		fi
		;;
	info)
		_zbe_scan 4 ""
		((pos == -1)) && _zbe_reply -j
		;;
	delete)
		_zbe_scan 4 ""
		((pos == -1)) && _zbe_reply -F
		;;
	esac
	return 0
}

_zbe_zlogin() {
	local cur words cword
	local -a list
	_zbe_words

	if ((cword == 1)); then
		mapfile -t list < <(_zbe_zone_names running)
		_zbe_reply "${list[@]}"
	fi
	return 0
}

complete -F _zbe_beadm beadm
complete -F _zbe_zoneadm zoneadm
complete -F _zbe_zonecfg zonecfg
complete -F _zbe_zlogin zlogin
