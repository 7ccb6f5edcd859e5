# The warning lines of a kernel log (dmesg) logged after t0 (awk -v
# t0=SECONDS; 0: all): what makes the guest's dmesg check (/init) fail a
# test. KCSAN's data-race reports (the kcsan debug kernel) count only when
# one of the two stacks passes through lazy_cma (a "[lazy_cma]" frame): a
# race inside the kernel alone is the kernel's, not the module's; such a
# report is read to its closing line of "=" and printed, as its first
# line, only if it is ours. tests/unit/test-detector-scan.sh tests this
# file; tests/vm/detector-reports.awk is the console scan's counterpart.
match($0, /^\[ *[0-9.]+\]/) {
	t = substr($0, 2, RLENGTH - 2) + 0
	if (t <= t0 + 0) next
}
race != "" {
	if (index($0, "[lazy_cma]")) ours = 1
	if (index($0, "==========")) {
		if (ours) print race
		race = ""
	}
	next
}
/BUG: KCSAN:/ {
	race = $0
	ours = 0
	next
}
/WARNING:|BUG:|Oops|general protection fault|Call Trace:|UBSAN:|KASAN:|refcount_t:|list_add corruption|list_del corruption|INFO: task .* blocked|soft lockup|rcu: INFO:|RCU stall/ { print }
END {
	if (race != "" && ours) print race
}
