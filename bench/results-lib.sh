# Sourced by the benchmarks: how each writes its own section of
# docs/results.md, so that the figures there are always a script's output
# and never copied by hand. A section lies between two marker lines:
#
#   <!-- bench:NAME -->
#   ...
#   <!-- /bench:NAME -->
#
# and starts with where it was measured. Writing a section replaces only
# what lies between its markers, or appends it to the file when it has
# none; the rest of the file (the text around the sections) is left alone.
#
# The caller sets ME (its name, for error lines) and ROOT (the project).

# results_file FILE: FILE as an absolute path in RESULTS, checked before
# any long work, so that an hour of benchmark is not lost on a typo: its
# directory exists and every section it holds is closed.
results_file() {
	case $1 in
	'') echo "$ME: --results needs a file (e.g. docs/results.md)" >&2; exit 2 ;;
	/*) RESULTS=$1 ;;
	*) RESULTS=$PWD/$1 ;;
	esac
	if [ ! -d "$(dirname "$RESULTS")" ]; then
		echo "$ME: --results $1: no such directory $(dirname "$1")" >&2
		exit 2
	fi
	if [ -e "$RESULTS" ]; then
		bad=$(awk '/^<!-- bench:.* -->$/ { if (open != "") { bad = open; exit } open = $2; next }
			/^<!-- \/bench:.* -->$/ { if ("/" open != $2) { bad = substr($2, 2); exit } open = ""; next }
			END { if (bad == "") bad = open; sub(/^bench:/, "", bad); print bad }' "$RESULTS")
		if [ -n "$bad" ]; then
			echo "$ME: --results $1: section $bad is not closed properly (see bench/results-lib.sh)" >&2
			exit 2
		fi
	fi
}

# results_where: when, on what and from which code the figures come, as
# the first line of a section says it.
results_where() {
	cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
	commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	# The results file itself is what is being written: it is no change
	# to the code measured.
	if [ "$commit" != unknown ] &&
	   ! git -C "$ROOT" diff --quiet HEAD -- . ':(exclude)docs/results.md' 2>/dev/null; then
		commit="$commit with uncommitted changes"
	fi
	printf '%s on %s, %s cores, commit %s' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
		"${cpu:-an unknown CPU}" "$(nproc)" "$commit"
}

# results_write NAME TITLE BODY: replaces section NAME of RESULTS with the
# file BODY, or appends it under a "## TITLE" heading.
results_write() {
	name=$1 title=$2 body=$3
	begin="<!-- bench:$name -->"
	end="<!-- /bench:$name -->"
	tmp="$RESULTS.tmp.$$"
	if [ -f "$RESULTS" ] && grep -qxF -- "$begin" "$RESULTS"; then
		awk -v b="$begin" -v e="$end" -v body="$body" '
			$0 == b { print; while ((getline l < body) > 0) print l; skip = 1; next }
			$0 == e { skip = 0 }
			!skip' "$RESULTS" >"$tmp"
	else
		{
			if [ -s "$RESULTS" ]; then cat "$RESULTS"; echo; fi
			printf '## %s\n\n%s\n' "$title" "$begin"
			cat "$body"
			printf '%s\n' "$end"
		} >"$tmp"
	fi
	mv "$tmp" "$RESULTS"
	echo "$ME: wrote section $name of $RESULTS" >&2
}

# The whole command line of a script whose only flags are --results FILE
# and --help (its help is its header comment): parses "$@" into RESULTS.
results_only_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--results) [ $# -ge 2 ] || results_file ''; results_file "$2"; shift 2 ;;
		-h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
		*) echo "$ME: unknown argument '$1' (see --help)" >&2; exit 2 ;;
		esac
	done
}
