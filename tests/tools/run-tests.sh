#!/bin/sh
# Runs every test program in $1/tests, each with a time limit, logs in
# $1/test-logs. Counts cmocka's "[  PASSED  ] N test(s)" and
# "[  FAILED  ] N test(s)" lines; a program that dies without a summary
# counts as one failure. Last line: "N passed, N failed".
# DCITEST_ONLY="name ..." runs only those programs; DCITEST_WRAP="cmd ..."
# runs each program under cmd (valgrind, for make check-valgrind).
BUILD=${1:-build}
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"
export DCISIM="$PWD/$BUILD/dcisim" DCICTL="$PWD/$BUILD/dcictl"
export DCITEST_TMP="$PWD/$BUILD/test-tmp"
mkdir -p "$DCITEST_TMP"
# cmocka: write one summary per group to stdout
unset CMOCKA_MESSAGE_OUTPUT
pass=0 fail=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if [ -n "$DCITEST_ONLY" ]; then
		case " $DCITEST_ONLY " in *" $name "*) ;; *) continue ;; esac
	fi
	log="$LOGS/$name.log"
	# shellcheck disable=SC2086
	timeout -k 10 ${DCITEST_TIMEOUT:-300} $DCITEST_WRAP "$t" >"$log" 2>&1 </dev/null
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $name: exit $rc without a failure count (see $log)"
		tail -n 20 "$log" | sed 's/^/    /'
	elif [ "$f" -gt 0 ]; then
		echo "FAIL $name: $p passed, $f failed (see $log)"
		grep -E '^\[  (FAILED|  ERROR) \]|^\[  ERROR   \]|Failure|error:' "$log" | head -n 20 | sed 's/^/    /'
	else
		echo "ok   $name: $p passed"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
