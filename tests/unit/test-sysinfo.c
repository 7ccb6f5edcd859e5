// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers of /proc and /sys text: iomem, meminfo, CPU lists, cpuinfo,
 * lockdown, the module's kernel log lines.
 */
#include <errno.h>

#include "sysinfo.h"
#include "tap.h"

static const char iomem[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"000a0000-000bffff : PCI Bus 0000:00\n"
	"00100000-7ffdffff : System RAM\n"
	"  01000000-01ffffff : Kernel code\n"
	"  30000000-35ffffff : Crash kernel\n"
	"  36000000-361fffff : lazy-kdump\n"
	"7ffe0000-7fffffff : Reserved\n"
	"100000000-17fffffff : System RAM\n";

static const char hidden[] =
	"00000000-00000000 : Reserved\n"
	"00000000-00000000 : System RAM\n"
	"00000000-00000000 : System RAM\n";

static void t_iomem(void)
{
	struct iomem_summary s;

	is_int(iomem_parse(iomem, &s), 0, "iomem parses");
	is_int(s.ram_ranges, 3, "iomem: 3 System RAM ranges (nested ones not counted)");
	is_u64(s.ram_bytes, (0x9fc00 - 0x1000) + (0x7ffe0000 - 0x100000) + 0x80000000ULL,
	       "iomem: RAM bytes");
	is_u64(s.ram_end, 0x180000000ULL, "iomem: end of RAM");
	ok(!s.hidden, "iomem: addresses visible");
	ok(s.n_crash == 1 && s.crash_start[0] == 0x30000000 &&
	   s.crash_end[0] == 0x35ffffff, "iomem: the nested Crash kernel range");
	iomem_parse(hidden, &s);
	ok(s.hidden && s.ram_bytes == 0, "iomem as non-root: hidden");
}

static void t_misc(void)
{
	char buf[32];
	unsigned int n;
	uint64_t v;

	ok(meminfo_kb("MemTotal:        2030000 kB\nMemFree: 5 kB\n", "MemTotal", &v) == 0 &&
	   v == 2030000, "meminfo: MemTotal");
	is_int(meminfo_kb("MemTotalX: 1 kB\n", "MemTotal", &v), -ENOENT,
	       "meminfo: a longer key does not match");

	ok(cpulist_count("0-3,8,10-11\n", &n) == 0 && n == 7, "cpulist: 0-3,8,10-11 is 7");
	ok(cpulist_count("0\n", &n) == 0 && n == 1, "cpulist: 0 is 1");
	is_int(cpulist_count("3-1", &n), -EINVAL, "cpulist: reversed range");
	is_int(cpulist_count("x", &n), -EINVAL, "cpulist: garbage");
	is_int(cpulist_count("", &n), -EINVAL, "cpulist: empty");

	ok(cpuinfo_boot_apicid("processor\t: 0\nvendor_id\t: X\napicid\t\t: 6\ninitial apicid\t: 6\n\n"
			       "processor\t: 1\napicid\t\t: 2\n", &n) == 0 && n == 6,
	   "cpuinfo: processor 0's apicid");
	ok(cpuinfo_boot_apicid("processor\t: 1\napicid\t\t: 2\nprocessor\t: 0\napicid\t\t: 9\n", &n) == 0 &&
	   n == 9, "cpuinfo: processor 0 listed second");
	is_int(cpuinfo_boot_apicid("processor\t: 0\n", &n), -ENOENT, "cpuinfo: no apicid");

	ok(lockdown_mode("none [integrity] confidentiality\n", buf, sizeof(buf)) == 0 &&
	   strcmp(buf, "integrity") == 0, "lockdown: integrity");
	ok(lockdown_mode("[none] integrity confidentiality\n", buf, sizeof(buf)) == 0 &&
	   strcmp(buf, "none") == 0, "lockdown: none");
	is_int(lockdown_mode("none integrity\n", buf, sizeof(buf)), -ENOENT,
	       "lockdown: nothing selected");
}

int main(void)
{
	t_iomem();
	t_misc();
	return tap_done();
}
