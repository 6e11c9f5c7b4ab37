# pairs.sh: what t/bench/run.sh and t/bench/pg.sh share (bash, sourced):
# the rounds A B A B of a comparison, its medians, the table's rows, and
# the scale table's filter rows. The caller sets dir (a scratch directory)
# and rounds (for title).
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }
fail() { echo "${0##*/}: $*" >&2; }
# rep K CMD...: CMD K times (a one-shot tool's sample)
rep() {
	local k=$1 i
	shift
	for ((i = 0; i < k; i++)); do
		"$@" || return
	done
}

# pairs N CMD-A -- CMD-B [-- CMD-C ...]: N rounds, each running A, then
# B (then C ...), every side alone and timed whole; a side's CMD (a
# function and its words) runs after CMD_prep (its first word with
# _prep: the fresh copy it writes to), untimed, when there is one, then
# sync (untimed too). Sets, for each side k: t[k], the median seconds of
# side k; and for k >= 1, r[k], lo[k], hi[k]: the median, least and
# greatest of the rounds' ratios time(k) / time(A). A failed side is
# reported: its figures would mean nothing.
pairs() {
	local n=$1 i k side t0 t1 line
	local -a cmd=("")
	shift
	for w; do
		if [ "$w" = -- ]; then cmd+=(""); else
			cmd[-1]="${cmd[-1]:+${cmd[-1]} }$w"; fi
	done
	: >"$dir/pairs"
	for ((i = 0; i < n; i++)); do
		line=
		for side in "${cmd[@]}"; do
			if declare -F "${side%% *}_prep" >/dev/null; then
				"${side%% *}_prep" || exit 3
			fi
			# Nothing written before is still to go to disk: the
			# kernel's writeback of a copy just made, or of the
			# side before, is not timed in this one.
			sync
			t0=${EPOCHREALTIME/./}
			$side || fail "failed ($?): $side"
			t1=${EPOCHREALTIME/./}
			line="$line $((t1 - t0))"
		done
		echo "$line" >>"$dir/pairs"
	done
	# One line a side: the median time, then the ratio's median, min, max.
	mapfile -t k < <(awk '
	function med(a, n, s, i, j, x) {
		for (i = 1; i <= n; i++) s[i] = a[i]
		for (i = 2; i <= n; i++)	# insertion sort: n is small
			for (j = i; j > 1 && s[j - 1] > s[j]; j--) {
				x = s[j]; s[j] = s[j - 1]; s[j - 1] = x
			}
		lo = s[1]; hi = s[n]
		return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
	}
	{ for (c = 1; c <= NF; c++) { v[c, NR] = $c / 1e6
		q[c, NR] = $c / $1 } }
	END {
		for (c = 1; c <= NF; c++) {
			for (i = 1; i <= NR; i++) { a[i] = v[c, i]; b[i] = q[c, i] }
			tm = med(a, NR); rm = med(b, NR)
			printf "%.6f %.4f %.4f %.4f\n", tm, rm, lo, hi
		}
	}' "$dir/pairs")
	t=() r=() lo=() hi=()
	for ((i = 0; i < ${#k[@]}; i++)); do
		read -r "t[i]" "r[i]" "lo[i]" "hi[i]" <<<"${k[i]}"
	done
}

# row WHAT UOMS OTHER K GOAL: a line of the table for side k of the last
# pairs: UOMS and OTHER in the row's units, the ratio time(k) / time(A)
# and its min-max, the goal (>=X, <=X, limit or -) and the verdict.
head_row() {
	printf '%-46s %10s %10s %6s %11s %7s\n' what uoms other ratio \
	    min-max goal
}
row() {
	local k=$4 goal=$5 v=
	case $goal in
	">="*)	v=$(calc "${r[k]} >= ${goal#>=}" 0) ;;
	"<="*)	v=$(calc "${r[k]} <= ${goal#<=}" 0) ;;
	esac
	case $v in 1) v=PASS ;; 0) v=SHORT ;; esac
	printf '%-46s %10s %10s %6s %11s %7s  %s\n' "$1" "$2" "$3" \
	    "$(calc "${r[k]}")x" "$(calc "${lo[k]}")-$(calc "${hi[k]}")" \
	    "$goal" "$v"
}
per_s() { calc "$1 / ${t[$2]}" 0; }		# per_s COUNT K: COUNT/s of side k
ms() { calc "${t[$1]} * 1000 / ${2:-1}" 1; }	# ms K [REPS]: ms a run
title() {
	echo
	echo "$1 ($(uname -m), $(nproc) cpu; load $(uptime |
	    sed 's/.*load average: //'); $rounds rounds a row)"
}

# label ARGS: the row's words for ARGS, the times T (", cut" for a
# window cut at 10 S)
label() {
	echo "${1%|*}" | sed 's/[0-9:-]*T[0-9:]*Z/T/g'
	[ "${1%|*}" = "${1#*|}" ] || echo ", cut"
}

# filter_rows B: a row t for every filter of uoms-query (uoms-query
# --help), the store of B orders (q_big) against the one of a tenth
# (q_small), each with the middle order's values (at SQL, plus COLUMN
# MINUTES: the caller's, for its engine; mid: that order's id).
filter_rows() {
	local b=$1 no p e f pw t0
	no=$(at order_no)
	p=$(at placed_at)
	pw="--placed-from $p --placed-to"
	e=$(at eta)
	# Each filter as ARGS (the same at both sizes) or ARGS-S|ARGS-10S.
	# The generated orders span one week at every size, so a window holds
	# ten times the orders at 10 S: once as it is, the placed window also
	# cut to a tenth at 10 S, the same orders' worth (eta, on the hour,
	# cannot be cut).
	for f in "--id $mid" "--order-no $no" "--order-no ${no%??}" \
	    "--channel $(at channel)" "--status WAITING" \
	    "--department $(at department)" --on-hold --not-on-hold \
	    --deleted "$pw $(plus placed_at 60)" \
	    "$pw $(plus placed_at 60)|$pw $(plus placed_at 6)" \
	    "--eta-from $e --eta-to $(plus eta 60)"; do
		# A sample of ~0.2 s, as many runs as the big store's one fits.
		reps=1
		t0=${EPOCHREALTIME/./}
		q_big ${f#*|}
		reps=$((200000 / (${EPOCHREALTIME/./} - t0 + 1)))
		reps=$((reps < 1 ? 1 : reps > max_reps ? max_reps : reps))
		pairs "$rounds" q_small ${f%|*} -- q_big ${f#*|}
		row "t) query $(label "$f" | tr -d '\n')" "$(ms 1 "$reps")" \
		    "$(ms 0 "$reps")" 1 "<=1.5"
	done
	reps=$max_reps
	echo "(ms a run; --id and T: the middle order's, T to T + 1 hour;" \
	    "cut: T to T + 6 minutes at $b;" \
	    "load at the end $(uptime | sed 's/.*load average: //'))"
}
