# Summarise the allocation benchmark of one suite (tests/bench/alloc.sh).
#
# Input: the guests' results.tap files, each preceded by a line
# "GROUP <name>"; the lines used are "# BENCHINFO ...", "# BENCH ...",
# "# BENCHPREP ...", "# frag: ..." and "not ok ...".
# Variables: suite, mode (full|quick), qemu_s (seconds the guests ran),
# json (output file), md (output file). The TARGET and INFO lines also go to stdout.
#
# A cell is (case, size, allocator), case = guest memory + scenario, e.g.
# 6G-pcfull. Per cell: runs, successes, the median wall time of the ioctl
# (for ours with size auto: of the whole `lazy-kdump load`), the median of
# the module's own allocation time (kns), the median number of
# alloc_contig_range() attempts -- of the successes, failures apart -- and
# the zones of the successes. Ratios are
# baseline/ours, taken per run from the same guest boot (the allocators
# alternate within a run) and then the median of those per-run ratios.
# For size auto the baseline can only allocate (the seed had no crash
# binding); its arming time is estimated as its allocation plus the
# non-allocation part of ours' lazy-kdump load in the same run (ours' arm
# minus ours' allocation), and that estimate is what the arm ratio uses.

function kv(line, arr,    n, i, w, p, parts) {
	n = split(line, parts, " ")
	for (i = 1; i <= n; i++) {
		w = parts[i]
		p = index(w, "=")
		if (p > 1)
			arr[substr(w, 1, p - 1)] = substr(w, p + 1)
	}
}

function median(list,    n, a, i, j, t) {
	n = split(list, a, " ")
	if (n == 0)
		return ""
	for (i = 2; i <= n; i++) {
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	if (n % 2)
		return a[(n + 1) / 2] + 0
	return (a[n / 2] + a[n / 2 + 1]) / 2
}

function secs(ns) {
	if (ns == "")
		return "-"
	if (ns < 1e8)
		return sprintf("%.0f ms", ns / 1e6)
	return sprintf("%.2f s", ns / 1e9)
}

function ratio(x) {
	if (x == "")
		return "-"
	return sprintf("%.2fx", x)
}

function jstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	gsub(/\t/, " ", s)
	return "\"" s "\""
}

function jnum(x) {
	return x == "" ? "null" : x
}

# Is allocator @b ours (held, or split: another mode of lazy-kdump load),
# never a baseline?
function is_ours(b) {
	return b == "ours" || b == "split"
}

function addlist(arr, key, v,    t) {
	t = (key in arr) ? arr[key] " " v : v
	arr[key] = t
}

/^GROUP / {
	group = $2
	if (group ~ /-kfrag$/)
		kfrag_groups[group] = 1
	next
}

{
	sub(/\r$/, "")
}

/^# BENCHINFO / {
	delete f
	kv($0, f)
	mem[group] = f["mem_mb"]
	memg = sprintf("%dG", (f["mem_mb"] + 512) / 1024)
	info[group] = substr($0, 13)
	auto_bytes[group] = f["auto_bytes"]
	kernel = f["kver"]
	next
}

/^# BENCH / {
	delete f
	kv($0, f)
	c = memg "-" f["scen"]
	if (!(c in case_seen)) {
		case_seen[c] = 1
		cases[++ncases] = c
		case_group[c] = group
	}
	if (!((c, f["size"]) in size_seen)) {
		size_seen[c, f["size"]] = 1
		t = (c in case_sizes) ? case_sizes[c] " " f["size"] : f["size"]
		case_sizes[c] = t
	}
	if (!((c, f["alloc"]) in alloc_seen)) {
		alloc_seen[c, f["alloc"]] = 1
		t = (c in case_allocs) ? case_allocs[c] " " f["alloc"] : f["alloc"]
		case_allocs[c] = t
	}
	k = c SUBSEP f["size"] SUBSEP f["alloc"]
	n[k]++
	if (f["ok"] == 1) {
		okc[k]++
		if (!((k, f["zone"]) in zone_seen)) {
			zone_seen[k, f["zone"]] = 1
			t = (k in zones) ? zones[k] "," f["zone"] : f["zone"]
			zones[k] = t
		}
	}
	# Medians of successes; of failures apart.
	sfx = f["ok"] == 1 ? "" : "fail"
	addlist(ns, k SUBSEP sfx, f["ns"])
	addlist(kns, k SUBSEP sfx, f["kns"])
	addlist(att, k SUBSEP sfx, f["attempts"])
	if (f["avail_drop_kb"] != "") {
		addlist(avail, k, f["avail_drop_kb"])
		addlist(resv, k, f["reserved_bytes"])
	}
	r = k SUBSEP f["run"]
	run_ok[r] = f["ok"]
	run_ns[r] = f["ns"]
	run_kns[r] = f["kns"]
	raw[++nraw] = sprintf("{\"case\": %s, \"scenario\": %s, \"size\": %s, \"bytes\": %s, \"allocator\": %s, \"run\": %d, \"ok\": %s, \"err\": %s, \"ns\": %s, \"kns\": %s, \"attempts\": %s, \"zone\": %s, \"phys\": %s}",
		jstr(c), jstr(f["scen"]), jstr(f["size"]), jnum(f["size"] == "auto" ? f["bytes"] : f["len"]),
		jstr(f["alloc"]), f["run"], f["ok"] == 1 ? "true" : "false",
		jstr(f["err"] == "" ? "0" : f["err"]), jnum(f["ns"]), jnum(f["kns"]),
		jnum(f["attempts"]), jstr(f["zone"]), jstr(f["phys"]))
	if (f["run"] + 0 > maxrun[c])
		maxrun[c] = f["run"] + 0
	next
}

/^# BENCHPREP / {
	prep[group] = prep[group] substr($0, 3) "\n"
	next
}

/^# frag: / {
	frag[++nfrag] = substr($0, 3)
	next
}

/^not ok/ {
	problems[++nprob] = group ": " $0
}

END {
	# Paired ratios baseline/ours per run, then their medians.
	for (ci = 1; ci <= ncases; ci++) {
		c = cases[ci]
		ns_sizes = split(case_sizes[c], sz, " ")
		na = split(case_allocs[c], al, " ")
		for (si = 1; si <= ns_sizes; si++) {
			s = sz[si]
			ko = c SUBSEP s SUBSEP "ours"
			for (ai = 1; ai <= na; ai++) {
				b = al[ai]
				if (is_ours(b))
					continue
				kb = c SUBSEP s SUBSEP b
				lr = ""; lf = ""; la = ""; lk = ""; np = 0
				for (run = 1; run <= maxrun[c]; run++) {
					if (!((ko, run) in run_ns) || !((kb, run) in run_ns) || run_ns[ko, run] <= 0)
						continue
					bo = run_ok[ko, run] == 1
					bb = run_ok[kb, run] == 1
					# Success where the baseline succeeds.
					if (bb) {
						paired_ok++
						if (!bo)
							miss[++nmiss] = c "/" s "/run " run " (" b " succeeded, ours did not)"
					}
					# Times are compared between like outcomes only.
					if (!bo && !bb)
						lf = lf " " run_ns[kb, run] / run_ns[ko, run]
					if (!bo || !bb)
						continue
					np++
					lr = lr " " run_ns[kb, run] / run_ns[ko, run]
					if (s == "auto") {
						la = la " " (run_ns[kb, run] + run_ns[ko, run] - run_kns[ko, run]) / run_ns[ko, run]
						if (run_kns[ko, run] > 0)
							lk = lk " " run_kns[kb, run] / run_kns[ko, run]
					}
				}
				rat[kb] = median(lr)
				ratn[kb] = np
				rat_fail[kb] = median(lf)
				if (s == "auto") {
					rat_arm[kb] = median(la)
					rat_alloc[kb] = median(lk)
				}
			}
		}
	}

	# Targets.
	ntl = 0
	for (ci = 1; ci <= ncases; ci++) {
		c = cases[ci]
		if (c !~ /-pcfull$/)
			continue
		kb = c SUBSEP "auto" SUBSEP "seed"
		if (!(kb in rat_arm) || rat_arm[kb] == "") {
			tl[++ntl] = "TARGET " c " arm >=3x faster than seed: NOT MEASURED (no paired auto runs)"
			tj[ntl] = "{\"name\": " jstr(c " arm >=3x faster than seed") ", \"holds\": null, \"value\": null}"
			continue
		}
		v = rat_arm[kb]
		if (v >= 3)
			t = sprintf("HOLDS (%.2fx)", v)
		else
			t = sprintf("MISSED (%.2fx: short of 3x by a factor of %.2f)", v, 3 / v)
		tl[++ntl] = "TARGET " c " arm >=3x faster than seed: " t
		tj[ntl] = sprintf("{\"name\": %s, \"holds\": %s, \"value\": %.4f}",
			jstr(c " arm >=3x faster than seed"), v >= 3 ? "true" : "false", v)
		il[++nil] = sprintf("INFO %s arm, allocation step alone (module times): seed/ours %s", c, ratio(rat_alloc[kb]))
		kb = c SUBSEP "auto" SUBSEP "seedall"
		if ((kb in rat_arm) && rat_arm[kb] != "")
			il[++nil] = sprintf("INFO %s arm vs seedall (seed with DMA32): %s; allocation step alone %s", c, ratio(rat_arm[kb]), ratio(rat_alloc[kb]))
	}
	# The kdump-fragmented guest: split arms in every run, where held and
	# the baseline found no window of the auto size.
	kfrag_cases = 0
	for (ci = 1; ci <= ncases; ci++) {
		c = cases[ci]
		if (c !~ /-kfrag$/)
			continue
		kfrag_cases++
		name = c " split arms in every run where held and the seed fail"
		ks = c SUBSEP "auto" SUBSEP "split"
		kh = c SUBSEP "auto" SUBSEP "ours"
		kb = c SUBSEP "auto" SUBSEP "seedall"
		if (!(ks in n) || !(kh in n)) {
			tl[++ntl] = "TARGET " name ": NOT MEASURED (no split or held runs)"
			tj[ntl] = "{\"name\": " jstr(name) ", \"holds\": null}"
			continue
		}
		v = okc[ks] + 0 == n[ks] && okc[kh] + 0 == 0 && ((kb in n) ? okc[kb] + 0 == 0 : 1)
		t = sprintf("%s (split %d/%d, held %d/%d, seed with all zones %s)", v ? "HOLDS" : "MISSED",
			okc[ks], n[ks], okc[kh], n[kh], (kb in n) ? (okc[kb] + 0) "/" n[kb] : "not run")
		tl[++ntl] = "TARGET " name ": " t
		tj[ntl] = sprintf("{\"name\": %s, \"holds\": %s, \"split_ok\": %d, \"split_runs\": %d, \"held_ok\": %d, \"held_runs\": %d, \"seedall_ok\": %s, \"seedall_runs\": %s}",
			jstr(name), v ? "true" : "false", okc[ks], n[ks], okc[kh], n[kh],
			(kb in n) ? okc[kb] + 0 : "null", (kb in n) ? n[kb] : "null")
	}
	# A kfrag guest that gave no measurement at all.
	if (!kfrag_cases)
		for (g in kfrag_groups) {
			name = "kfrag split arms in every run where held and the seed fail"
			tl[++ntl] = "TARGET " name ": NOT MEASURED (the guest " g " gave no measurements)"
			tj[ntl] = "{\"name\": " jstr(name) ", \"holds\": null}"
			break
		}
	# What arming took from production, held (ours) and split side by side,
	# on the idle guest only: with the page cache full, or memory just
	# given back (kfrag), reclaim and the per-CPU lists move MemAvailable
	# by as much as the reservation (trixie, 2026-12-08: split's drop 10
	# MiB of 104 reserved on 6G-pcfull, 35 of 104 on 2G-kfrag).
	for (ci = 1; ci <= ncases; ci++) {
		c = cases[ci]
		if (c !~ /-idle$/)
			continue
		t = ""
		for (ai = 1; ai <= 2; ai++) {
			b = ai == 1 ? "ours" : "split"
			k = c SUBSEP "auto" SUBSEP b
			if (!(k in avail))
				continue
			t = t sprintf("%s%s %.1f MiB (reserved %.1f MiB; median of %d)", t == "" ? "" : ", ",
				b == "ours" ? "held" : "split", median(avail[k]) / 1024,
				median(resv[k]) / 1048576, split(avail[k], tmp, " "))
		}
		if (t != "")
			il[++nil] = "INFO " c " MemAvailable drop when armed at auto: " t
	}
	if (nmiss == 0)
		t = sprintf("HOLDS (ours succeeded in all %d paired runs where a baseline succeeded)", paired_ok)
	else {
		t = sprintf("MISSED in %d of %d paired runs:", nmiss, paired_ok)
		for (i = 1; i <= nmiss; i++)
			t = t " " miss[i] (i < nmiss ? ";" : "")
	}
	tl[++ntl] = "TARGET success in every case where the seed succeeds: " t
	tj[ntl] = sprintf("{\"name\": %s, \"holds\": %s, \"paired_runs\": %d, \"misses\": %d}",
		jstr("success in every case where the seed succeeds"), nmiss ? "false" : "true", paired_ok, nmiss)
	if (ncases == 0) {
		tl[++ntl] = "TARGET none: no BENCH lines (did the guests run?)"
		tj[ntl] = "{\"name\": \"no data\", \"holds\": null}"
	}
	for (i = 1; i <= ntl; i++)
		print tl[i]
	for (i = 1; i <= nil; i++)
		print il[i]

	# Markdown.
	printf "### Allocation benchmark: %s (%s), %s mode, guests ran %d s\n\n", suite, kernel, mode, qemu_s > md
	print "Medians over the successful runs (over the failed ones, \"to fail\", when" > md
	print "none succeeded). \"baseline/ours\" is the median of per-run ratios of wall" > md
	print "times taken side by side in the same guest boot (the allocators alternate" > md
	print "within each run), over the runs where both succeeded (\"both failed\": over" > md
	print "the runs where both failed). Above 1 means ours was faster. TCG is 10-50x" > md
	print "slower than hardware: read the ratios, not the absolute times. `seed` = the" > md
	print "seed's strategy as the issue states it (Movable, then Normal); `seedall` =" > md
	print "its current revision (then DMA32, DMA). For size `auto`, ours is the whole" > md
	print "`lazy-kdump load` (time) and its allocation (alloc); a baseline can only" > md
	print "allocate, so its arm time is its allocation plus ours' non-allocation part" > md
	print "of the same run (\"arm\"), and \"alloc\" compares the allocations alone.\n" > md
	for (g in info)
		printf "- guest `%s`: %s\n", g, info[g] > md
	print "" > md
	print "| case | size | allocator | median time | median alloc | median attempts | ok/runs | zones | baseline/ours |" > md
	print "|---|---|---|---|---|---|---|---|---|" > md
	for (ci = 1; ci <= ncases; ci++) {
		c = cases[ci]
		ns_sizes = split(case_sizes[c], sz, " ")
		na = split(case_allocs[c], al, " ")
		for (si = 1; si <= ns_sizes; si++) {
			s = sz[si]
			for (ai = 1; ai <= na; ai++) {
				b = al[ai]
				k = c SUBSEP s SUBSEP b
				if (!(k in n))
					continue
				ko = c SUBSEP s SUBSEP "ours"
				if (is_ours(b))
					rs = "-"
				else if (ratn[k] == 0)
					rs = rat_fail[k] == "" ? "- (no run where both succeeded)" : "both failed: " ratio(rat_fail[k])
				else if (s == "auto")
					rs = "arm " ratio(rat_arm[k]) ", alloc " ratio(rat_alloc[k])
				else
					rs = ratio(rat[k])
				if (!is_ours(b) && ratn[k] > 0 && ratn[k] < n[k])
					rs = rs " over the " ratn[k] " runs both succeeded"
				# Successes; a cell without any shows its failures.
				sfx = okc[k] + 0 ? "" : "fail"
				printf "| %s | %s | %s | %s | %s | %s | %d/%d | %s | %s |\n", c, s,
					(b == "ours" && s == "auto") ? "ours (lazy-kdump load)" : b == "split" ? "split (lazy-kdump load --working-memory split)" : b,
					secs(median(ns[k, sfx])) (sfx ? " (to fail)" : ""),
					secs(median(kns[k, sfx])), median(att[k, sfx]),
					okc[k], n[k], (k in zones) ? zones[k] : "-", rs > md
			}
		}
	}
	print "" > md
	for (i = 1; i <= ntl; i++)
		print "- " tl[i] > md
	for (i = 1; i <= nil; i++)
		print "- " il[i] > md
	if (nfrag) {
		print "\nFragmentation workload (tests/bench/frag.c), as it reported:\n\n```" > md
		for (i = 1; i <= nfrag; i++)
			print frag[i] > md
		print "```" > md
	}
	if (nprob) {
		print "\nProblems reported by the guests:\n" > md
		for (i = 1; i <= nprob; i++)
			print "- " problems[i] > md
	}

	# JSON.
	printf "{\n  \"suite\": %s,\n  \"kernel\": %s,\n  \"mode\": %s,\n  \"qemu_seconds\": %d,\n", jstr(suite), jstr(kernel), jstr(mode), qemu_s > json
	printf "  \"guests\": {" > json
	sep = ""
	for (g in info) {
		printf "%s\n    %s: %s", sep, jstr(g), jstr(info[g]) > json
		sep = ","
	}
	printf "\n  },\n  \"cells\": [" > json
	sep = ""
	for (ci = 1; ci <= ncases; ci++) {
		c = cases[ci]
		ns_sizes = split(case_sizes[c], sz, " ")
		na = split(case_allocs[c], al, " ")
		for (si = 1; si <= ns_sizes; si++) {
			s = sz[si]
			for (ai = 1; ai <= na; ai++) {
				b = al[ai]
				k = c SUBSEP s SUBSEP b
				if (!(k in n))
					continue
				printf "%s\n    {\"case\": %s, \"size\": %s, \"allocator\": %s, \"runs\": %d, \"successes\": %d, \"median_ns\": %s, \"median_kns\": %s, \"median_attempts\": %s, \"failed_median_ns\": %s, \"failed_median_attempts\": %s, \"zones\": %s, \"pairs_both_succeeded\": %s, \"ratio_vs_ours\": %s, \"ratio_arm_vs_ours\": %s, \"ratio_alloc_vs_ours\": %s, \"ratio_vs_ours_both_failed\": %s}",
					sep, jstr(c), jstr(s), jstr(b), n[k], okc[k], jnum(median(ns[k, ""])),
					jnum(median(kns[k, ""])), jnum(median(att[k, ""])), jnum(median(ns[k, "fail"])),
					jnum(median(att[k, "fail"])), jstr((k in zones) ? zones[k] : ""),
					jnum(is_ours(b) ? "" : ratn[k] + 0),
					jnum(is_ours(b) ? "" : rat[k]), jnum(is_ours(b) ? "" : rat_arm[k]),
					jnum(is_ours(b) ? "" : rat_alloc[k]), jnum(is_ours(b) ? "" : rat_fail[k]) > json
				sep = ","
			}
		}
	}
	printf "\n  ],\n  \"targets\": [" > json
	for (i = 1; i <= ntl; i++)
		printf "%s\n    %s", (i > 1 ? "," : ""), tj[i] > json
	printf "\n  ],\n  \"target_lines\": [" > json
	for (i = 1; i <= ntl; i++)
		printf "%s\n    %s", (i > 1 ? "," : ""), jstr(tl[i]) > json
	for (i = 1; i <= nil; i++)
		printf ",\n    %s", jstr(il[i]) > json
	printf "\n  ],\n  \"frag\": [" > json
	for (i = 1; i <= nfrag; i++)
		printf "%s\n    %s", (i > 1 ? "," : ""), jstr(frag[i]) > json
	printf "\n  ],\n  \"problems\": [" > json
	for (i = 1; i <= nprob; i++)
		printf "%s\n    %s", (i > 1 ? "," : ""), jstr(problems[i]) > json
	printf "\n  ],\n  \"runs\": [" > json
	for (i = 1; i <= nraw; i++)
		printf "%s\n    %s", (i > 1 ? "," : ""), raw[i] > json
	printf "\n  ]\n}\n" > json
}
