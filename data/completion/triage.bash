# bash completion for triage(1): subcommands, their options, saved view
# names, open ticket numbers and macro names from the replica (asked of
# `triage __complete`, which never prints errors).

# The words triage offers for KIND, with the --replica of the line.
_triage_words()
{
	local kind=$1 prefix=$2 i
	local -a rep=()

	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		--replica) rep=(--replica "${COMP_WORDS[i + 1]}") ;;
		--replica=*) rep=("${COMP_WORDS[i]}") ;;
		esac
	done
	"${COMP_WORDS[0]}" "${rep[@]}" __complete "$kind" "$prefix" \
	    2>/dev/null | cut -f1
}

# COMPREPLY from a list of words (one string, spaces between).
_triage_list()
{
	mapfile -t COMPREPLY < <(compgen ${2:+-P "$2"} -W "$1" -- "$3")
}

_triage()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd="" sub="" i n=0
	local statuses="new open pending on_hold solved closed"
	local priorities="low normal high urgent"

	COMPREPLY=()
	# The subcommand: the first word that is not a global option.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--replica|--config|--trace) ((i++)) ;;
		-*|=) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=${COMP_WORDS[i]}
			else
				[ -z "$sub" ] && sub=${COMP_WORDS[i]}
				n=$((n + 1))
			fi
			;;
		esac
	done

	case $prev in
	--replica|--config|--trace|--body-file|--out|--token-file|\
	--password-file|--cacert|--smtp-auth-file)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--view)
		mapfile -t COMPREPLY < <(_triage_words views "$cur")
		return
		;;
	--sort)
		_triage_list "sla updated priority number" "" "$cur"
		return
		;;
	esac

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			_triage_list "--replica --config --trace --help --version" \
			    "" "$cur"
		else
			mapfile -t COMPREPLY < <(_triage_words commands "$cur")
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <("${COMP_WORDS[0]}" "$cmd" --help \
		    2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u |
		    grep -- "^$cur")
		return
	fi
	case $cmd in
	show|reply)
		[ "$n" -eq 0 ] &&
		    mapfile -t COMPREPLY < <(_triage_words tickets "$cur")
		;;
	set)
		if [ "$n" -eq 0 ]; then
			mapfile -t COMPREPLY < <(_triage_words tickets "$cur")
		elif [ "$prev" = "=" ]; then
			# bash split "status=pe" at the "=" (COMP_WORDBREAKS).
			case ${COMP_WORDS[COMP_CWORD - 2]} in
			status) _triage_list "$statuses" "" "$cur" ;;
			priority) _triage_list "$priorities" "" "$cur" ;;
			esac
		else
			case $cur in
			status=*)
				_triage_list "$statuses" status= "${cur#status=}" ;;
			priority=*)
				_triage_list "$priorities" priority= \
				    "${cur#priority=}" ;;
			*)
				mapfile -t COMPREPLY < <(_triage_words fields "$cur")
				compopt -o nospace 2>/dev/null
				;;
			esac
		fi
		;;
	macros)
		if [ "$n" -eq 0 ]; then
			_triage_list "sync ls show" "" "$cur"
		elif [ "$sub" = show ] && [ "$n" -eq 1 ]; then
			mapfile -t COMPREPLY < <(_triage_words macros "$cur")
		fi
		;;
	kb) [ "$n" -eq 0 ] && _triage_list "search" "" "$cur" ;;
	notifications) [ "$n" -eq 0 ] && _triage_list "read" "" "$cur" ;;
	available) [ "$n" -eq 0 ] && _triage_list "yes no" "" "$cur" ;;
	replica) [ "$n" -eq 0 ] && _triage_list "gen check info" "" "$cur" ;;
	admin)
		[ "$n" -eq 0 ] && _triage_list "migrate create-org create-user
		    revoke seed import set-hours sla rule set-lead run-jobs" "" \
		    "$cur"
		;;
	esac
	return 0
}
complete -F _triage triage
