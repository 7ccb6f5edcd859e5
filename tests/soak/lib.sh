# shellcheck shell=bash
# Helpers shared by the soak scripts (tests/soak/). Sourced, never run.

SOAK_PANIC_LINE='Kernel panic - not syncing: sysrq triggered crash'

# soak_stats LABEL UNIT < NUMBERS: "LABEL  min X  median Y  max Z UNIT (N
# cycles)" of the numbers read, one a line (other lines are ignored).
soak_stats() {
	grep -E '^[0-9]+(\.[0-9]+)?$' | sort -g | awk -v label="$1" -v unit="$2" '
		{ v[n++] = $1 }
		END {
			if (!n) { printf "%-24s no values\n", label; exit }
			med = (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
			printf "%-24s min %7.1f  median %7.1f  max %7.1f %s (%d cycles)\n", label, v[0], med, v[n - 1], unit, n
		}'
}

# soak_read_vmcore IMAGE PATH OUTDIR MAKEDUMPFILE: copy the vmcore PATH out
# of the ext4 IMAGE (debugfs, not mounted) to OUTDIR/vmcore and read its
# log with makedumpfile --dump-dmesg into OUTDIR/vmcore-dmesg.txt. Returns
# 0 when that log holds the panic line; else prints why.
soak_read_vmcore() {
	local img=$1 path=$2 out=$3 mdf=$4 want got
	rm -f "$out/vmcore" "$out/vmcore-dmesg.txt"
	mkdir -p "$out"
	want=$(debugfs -R "stat $path" "$img" 2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -n 1)
	if [ -z "$want" ] || ! debugfs -R "dump $path $out/vmcore" "$img" >/dev/null 2>&1; then
		echo "debugfs cannot read $path from $img"
		return 1
	fi
	got=$(stat -c %s "$out/vmcore" 2>/dev/null || echo 0)
	if [ "$got" != "$want" ]; then
		echo "debugfs copied $got of $want bytes of $path"
		return 1
	fi
	if ! "$mdf" --dump-dmesg "$out/vmcore" "$out/vmcore-dmesg.txt" >"$out/makedumpfile.log" 2>&1; then
		echo "makedumpfile --dump-dmesg failed: $(tail -n 2 "$out/makedumpfile.log" | tr '\n' ' ')"
		return 1
	fi
	if ! grep -qF "$SOAK_PANIC_LINE" "$out/vmcore-dmesg.txt"; then
		echo "the vmcore's log has no '$SOAK_PANIC_LINE'"
		return 1
	fi
	return 0
}
