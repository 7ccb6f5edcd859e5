# The detector reports of a guest's console log (tests/vm/check-debug.sh):
# awk -v f=LOG -v re=REGEX -v tag=PRE_TAG -v rtag=RACE_TAG -f THIS LOG.
# Each report: its first line as "LOG:LINE: TEXT", then up to 60 lines
# after it, indented, until its end marker ("---[ end trace", or a line of
# "=" after the first few) or the next report.
# - A report of a first (not crash) kernel before anything of lazy_cma
#   appeared in its log (the module not loaded yet: its code cannot be the
#   cause) gets TEXT prefixed with PRE_TAG.
# - A KCSAN data-race report in which neither stack passes through
#   lazy_cma (no "[lazy_cma]" frame: a race of the kernel's own) gets
#   RACE_TAG (the guest's dmesg-bad.awk does not count those either).
# Both are listed by the caller but do not fail the tier.
# tests/unit/test-detector-scan.sh tests this file.
function flush(   i, t) {
	if (!have) return
	t = ""
	if (pre) t = tag " "
	else if (race && !ours) t = rtag " "
	print f ":" at ": " t head
	for (i = 1; i <= n; i++) print "    " body[i]
	have = 0
	n = 0
}
{ gsub(/\r/, "") }
/Linux version / { flush(); crash = 0; mod = 0 }
/Command line:/ && /elfcorehdr=/ { crash = 1 }
$0 ~ re {
	flush()
	if (index($0, "lazy_cma")) mod = 1
	have = 1; at = NR; head = $0; n = 0
	pre = !crash && !mod
	race = index($0, "KCSAN:") > 0
	ours = index($0, "[lazy_cma]") > 0
	left = 60; seen = 0
	next
}
/lazy_cma/ { mod = 1 }
left > 0 {
	body[++n] = $0
	if (index($0, "[lazy_cma]")) ours = 1
	left--
	seen++
	if (index($0, "---[ end trace") || (seen > 3 && index($0, "==========="))) left = 0
}
END { flush() }
