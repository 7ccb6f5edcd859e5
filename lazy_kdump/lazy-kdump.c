// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-kdump - arm kdump on a running machine booted without crashkernel=:
 * size the crash region from the crash kernel and capture initrd, reserve
 * it through /dev/lazy_cma, bind it as the kernel's "Crash kernel" region
 * and load the crash kernel with kexec_file_load(2); resize or give it
 * back later.
 *
 * Files:
 *   /etc/lazy-kdump.conf          configuration (--config, $LAZY_KDUMP_CONFIG)
 *   /run/lazy-kdump/state         what is armed ($LAZY_KDUMP_STATE_DIR)
 *   /run/lazy-kdump/lock          serialises lazy-kdump invocations
 *   /boot/vmlinuz-$(uname -r)     default crash kernel (or
 *                                 /usr/lib/modules/$(uname -r)/vmlinuz)
 *   /var/lib/lazy-kdump/initrd-$(uname -r).img
 *                                 default capture initrd (built by the
 *                                 dracut module; DUMP_TARGET,
 *                                 CORE_COLLECTOR and FINAL_ACTION of the
 *                                 configuration are for it)
 *   /dev/lazy_cma                 the module's device (--device);
 *                                 'modprobe lazy_cma' when missing
 *                                 ($LAZY_KDUMP_MODPROBE names the command)
 *
 * For tests, $LAZY_KDUMP_SYSROOT is put in front of every /proc and /sys
 * path read (the kernel's files and the device are not affected).
 *
 * Exit status: 0 success (status: armed); 1 failure, with a message that
 * says what failed and what to do; 2 invalid command line; 3 status: not
 * armed (kdumpctl's convention).
 *
 * Layers: this file parses and dispatches through the verb table (it holds
 * main(), the verb table and the help); lazy-kdump-*.c run the verbs, and
 * these files are the only code that prints; lib/ returns -errno and
 * details; lib/arm.c runs the load/unload/resize sequences over the ops
 * defined in lazy-kdump-load.c. lazy-kdump.h says which file holds what.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cmdline.h"
#include "lib/lastdump.h"
#include "lib/metrics.h"
#include "lib/size.h"
#include "lazy-kdump.h"

static const struct option global_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "config", required_argument, NULL, ARG_CONFIG },
	{ "device", required_argument, NULL, ARG_DEVICE },
	{ "version", no_argument, NULL, ARG_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const struct option verb_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "config", required_argument, NULL, ARG_CONFIG },
	{ "device", required_argument, NULL, ARG_DEVICE },
	{ "kernel", required_argument, NULL, ARG_KERNEL },
	{ "initrd", required_argument, NULL, ARG_INITRD },
	{ "append", required_argument, NULL, ARG_APPEND },
	{ "size", required_argument, NULL, ARG_SIZE },
	{ "node", required_argument, NULL, ARG_NODE },
	{ "placement", required_argument, NULL, ARG_PLACEMENT },
	{ "working-memory", required_argument, NULL, ARG_WORKING_MEMORY },
	{ "json", no_argument, NULL, ARG_JSON },
	{ "capture", no_argument, NULL, ARG_CAPTURE },
	{ "dump-target", required_argument, NULL, ARG_DUMP_TARGET },
	{ "write", no_argument, NULL, ARG_WRITE },
	{ "yes", no_argument, NULL, ARG_YES },
	{ NULL, 0, NULL, 0 }
};

/* ---- verbs, help, main -------------------------------------------------- */

#define FILES_HELP \
	"Files: " CONFIG_DEFAULT_PATH " (--config, $" ENV_CONFIG "); state in\n" \
	STATE_DEFAULT_DIR "/" STATE_FILE " and lock " STATE_DEFAULT_DIR "/" STATE_LOCK " ($" ENV_STATE_DIR ").\n"

static const struct verb verbs[] = {
	{
		"load", 0, 0, verb_load,
		OPT(ARG_KERNEL) | OPT(ARG_INITRD) | OPT(ARG_APPEND) |
			OPT(ARG_SIZE) | OPT(ARG_NODE) | OPT(ARG_PLACEMENT) |
			OPT(ARG_WORKING_MEMORY),
		"[--kernel PATH] [--initrd PATH] [--append \"WORDS\"] [--size SIZE|auto] [--node N] [--placement low|high] [--working-memory held|split]",
		"Arm kdump: reserve, bind and load the crash kernel.",
		"Arm kdump on this running machine: size the crash region from the\n"
		"crash kernel and capture initrd (see 'estimate'), reserve it through\n"
		"/dev/lazy_cma (running 'modprobe lazy_cma' when the device is\n"
		"missing), bind it as the kernel's \"Crash kernel\" region and load the\n"
		"crash kernel with kexec_file_load(2). If any step after the\n"
		"reservation fails, everything is undone: nothing stays reserved and no\n"
		"half-loaded crash kernel is left.\n"
		"\n"
		"  --kernel PATH      crash kernel (KERNEL=; default\n"
		"                     /boot/vmlinuz-$(uname -r), or\n"
		"                     /usr/lib/modules/$(uname -r)/vmlinuz)\n"
		"  --initrd PATH      capture initrd (INITRD=; default\n"
		"                     " DEFAULT_INITRD_DIR "/initrd-$(uname -r).img)\n"
		"  --append \"WORDS\"   more words for the crash command line; NAME=VALUE\n"
		"                     replaces an earlier NAME= (e.g. nr_cpus=2)\n"
		"  --size SIZE|auto   crash region size (SIZE=; default auto); sizes\n"
		"                     below the hard minimum of the images are refused\n"
		"  --node N           NUMA node for the region (NODE=; default any)\n"
		"  --placement low|high\n"
		"                     low (default): the region below 4 GiB; when no\n"
		"                     window is found there, it goes high. high: above\n"
		"                     4 GiB plus a low companion below 4 GiB (bound as\n"
		"                     crashk_low_res) of max(swiotlb + 8 MiB, 256 MiB),\n"
		"                     the kernel's crashkernel=,high rule\n"
		"  --working-memory held|split\n"
		"                     held (default): one region holds the crash\n"
		"                     kernel's images and its working memory. split:\n"
		"                     the region holds only the images (kernel,\n"
		"                     initrd, load segments) and the working memory\n"
		"                     is a second range below 4 GiB, bound as\n"
		"                     crashk_low_res (WORKING_MEMORY=): two smaller\n"
		"                     windows where one large one may not be free.\n"
		"                     --size is then the total of both\n"
		"\n"
		"The crash command line is /proc/cmdline without crashkernel=,\n"
		"panic_on_warn, BOOT_IMAGE=, initrd= and the CMDLINE_REMOVE words\n"
		"(default: " CMDLINE_DEFAULT_REMOVE "),\n"
		"then CMDLINE_APPEND (default: " CMDLINE_DEFAULT_APPEND "),\n"
		"then --append, then disable_cpu_apicid=<boot CPU> with nr_cpus=1.\n"
		"\n"
		"A boot-time crashkernel= reservation is used as it is when it is large\n"
		"enough for the size ('status' says so); otherwise load fails and says\n"
		"how much it has and needs. Already armed: use 'resize' or 'unload'.\n"
		"Needs root.\n",
	},
	{
		"unload", 0, 0, verb_unload, 0,
		"",
		"Disarm kdump and give the memory back.",
		"Unload the crash kernel lazy-kdump loaded, unbind and free its\n"
		"reservations (buffers named " ARM_NAME ", " ARM_NAME_LOW " and\n"
		ARM_NAME_WORK "). A crash\n"
		"kernel loaded by another tool is left alone; a boot-time crashkernel=\n"
		"reservation is only unloaded, never freed. Needs root.\n",
	},
	{
		"resize", 0, 1, verb_resize, 0,
		"[SIZE|auto]",
		"Grow or shrink the armed crash region and reload.",
		"Unload the crash kernel, resize the crash region (in place when it\n"
		"can, otherwise moved; it stays bound) and load the same crash kernel,\n"
		"initrd and command line again. Without an argument the size is\n"
		"recomputed the way it was chosen (auto stays auto). With split\n"
		"working memory SIZE is the total: the region is resized to the\n"
		"images' size and the working memory to the rest. When the region\n"
		"cannot grow, it is left as it was and the previous crash kernel is\n"
		"loaded again: the command fails saying kdump is still armed with the\n"
		"previous size. If even that fails it says loudly that kdump is\n"
		"DISARMED. Needs root.\n",
	},
	{
		"reload", 0, 0, verb_reload,
		OPT(ARG_KERNEL) | OPT(ARG_INITRD) | OPT(ARG_APPEND) |
			OPT(ARG_SIZE),
		"[--kernel PATH] [--initrd PATH] [--append \"WORDS\"] [--size SIZE|auto]",
		"Arm again with the current configuration, keeping the region.",
		"Load the crash kernel, initrd and command line the configuration\n"
		"(and these options) name now, into the crash region already held:\n"
		"after a configuration change, a new kernel or a rebuilt capture\n"
		"initrd. The region is resized when the new size differs (SIZE=,\n"
		"--size; auto is recomputed for the new files). When the new files\n"
		"cannot be loaded, the previous ones are loaded again and the command\n"
		"fails saying kdump is still armed as before; only if even that fails\n"
		"does it say loudly that kdump is DISARMED. NODE, PLACEMENT and\n"
		"WORKING_MEMORY do not move or split the region (use unload and load).\n"
		"When nothing is armed, reload\n"
		"runs load. systemctl reload lazy-kdump runs this. Needs root.\n",
	},
	{
		"status", 0, 0, verb_status, OPT(ARG_JSON),
		"[--json]",
		"Show whether kdump is armed, and with what.",
		"Show whether a crash kernel is loaded (/sys/kernel/kexec_crash_loaded),\n"
		"who loaded it, and what lazy-kdump recorded: the crash region(s), size,\n"
		"node, kernel, initrd, command line and when it was armed, and whether\n"
		"the reservation is lazy-kdump's or a boot-time crashkernel=. Also the\n"
		"last dump in DUMP_TARGET (its status: saved, no-space,\n"
		"short-of-memory, ...), and what 'load' found about the previous boot:\n"
		"lazy-kdump keeps a marker in " LASTDUMP_DEFAULT_VARDIR " while armed,\n"
		"which 'unload' removes; a marker of an earlier boot means that boot\n"
		"ended armed without a clean shutdown, and 'load' says what it left\n"
		"(its dump, a capture short of memory, or nothing).\n"
		"\n"
		"  --json   one JSON object, every key in every state (null where\n"
		"           unknown): schema_version (1), state (armed, armed-by-other,\n"
		"           not-armed, unloaded, held-not-loaded, no-kexec, unknown),\n"
		"           armed, kexec_crash_loaded, by_lazy_kdump,\n"
		"           boot_time_reservation, kexec_crash_size, region {addr, len,\n"
		"           node, high}, low_region {addr, len}, size, size_auto,\n"
		"           kernel, initrd, cmdline, armed_at, last_dump {path, result,\n"
		"           memory, reason, finished}, previous_boot\n"
		"\n"
		"Exit status 0 when armed, 3 when not (as kdumpctl status).\n",
	},
	{
		"dumps", 0, 0, verb_dumps, OPT(ARG_JSON),
		"[--json]",
		"List the dumps on the dump target.",
		"List every capture in DUMP_TARGET, oldest first: when it finished,\n"
		"its result (saved, no-space, short-of-memory, ...), the size of its\n"
		"vmcore and its directory, with the reason when it failed. A\n"
		"DEVICE:PATH target is read where that device is mounted (its root);\n"
		"when it is not mounted, this fails and says so.\n"
		"\n"
		"  --json   one JSON object: schema_version (1), dump_target,\n"
		"           directory, dumps [{path, finished, result, memory,\n"
		"           reason, vmcore_bytes}] (null where unknown)\n"
		"\n"
		"Root not needed where the dump target is readable.\n",
	},
	{
		"estimate", 0, 0, verb_estimate,
		OPT(ARG_KERNEL) | OPT(ARG_INITRD) | OPT(ARG_APPEND) |
			OPT(ARG_NODE) | OPT(ARG_JSON),
		"[--kernel PATH] [--initrd PATH] [--append \"WORDS\"] [--json]",
		"Show the recommended size and every term of it.",
		"Print the crash region 'load' would reserve with --size auto, and\n"
		"every term of it, derived from the files the crash kernel will run:\n"
		"\n"
		"  kernel           bzImage init_size (+ slack when kernel_alignment\n"
		"                   exceeds 2 MiB)\n"
		"  initrd           the initrd as loaded (file size)\n"
		"  initrd-unpacked  its cpio archives unpacked into tmpfs (all\n"
		"                   gzip, bzip2, lzma, xz, lz4 and zstd segments read)\n"
		"  segments         purgatory, boot parameters + command line, ELF\n"
		"                   core header\n"
		"  kernel-runtime   the crash kernel's own run-time memory with\n"
		"                   nr_cpus=1, per kernel series (from the bzImage's\n"
		"                   version string)\n"
		"  makedumpfile     its bitmaps for this machine's RAM + resident\n"
		"  margin           5% + 4 MiB\n"
		"\n"
		"The total is rounded up to 2 MiB. Also shown: the hard minimum (no\n"
		"smaller size can be loaded), the low companion of placement high,\n"
		"and the two parts of split working memory: the crash region (the\n"
		"hard minimum + 2 MiB for placement) and the working memory (the\n"
		"other terms, rounded up to 2 MiB).\n"
		"No side effects; root not needed (without it RAM comes from\n"
		"/proc/meminfo). --node is accepted and does not change the size.\n"
		"\n"
		"  --json   one JSON object: schema_version (1), kernel,\n"
		"           kernel_release, initrd, cmdline,\n"
		"           terms [{name, bytes, how}], sum, total, hard_minimum,\n"
		"           low_companion, split_region, split_working_memory,\n"
		"           runtime_series, runtime_provisional,\n"
		"           runtime_fallback\n",
	},
	{
		"metrics", 0, 0, verb_metrics, OPT(ARG_WRITE),
		"[--write]",
		"Print the state as Prometheus metrics, or write the metrics file.",
		"Print what 'status' knows in the Prometheus text format, for\n"
		"node_exporter's textfile collector: lazy_kdump_info{version,kernel},\n"
		"lazy_kdump_armed, lazy_kdump_armed_by_lazy_kdump,\n"
		"lazy_kdump_crash_region_bytes, lazy_kdump_kexec_crash_size_bytes,\n"
		"lazy_kdump_size_auto, lazy_kdump_armed_timestamp_seconds and, when\n"
		"DUMP_TARGET holds a capture, lazy_kdump_last_dump_info{result,path},\n"
		"lazy_kdump_last_dump_timestamp_seconds,\n"
		"lazy_kdump_last_dump_vmcore_bytes and\n"
		"lazy_kdump_last_dump_short_of_memory (a sample is left out when its\n"
		"value is not known).\n"
		"\n"
		"  --write   write them to METRICS_FILE instead (default\n"
		"            " METRICS_DEFAULT_FILE ",\n"
		"            only when that directory exists; none: never), atomically\n"
		"\n"
		"load, unload, resize and reload write the file themselves after\n"
		"every run, whether they succeeded or not; so does the service.\n"
		"Root not needed to print.\n",
	},
	{
		"test", 0, 0, verb_test, OPT(ARG_YES),
		"[--yes]",
		"Check the kdump setup, then panic the machine to prove it.",
		"Check that kdump is armed by lazy-kdump, that the crash kernel and\n"
		"capture initrd on disk are the ones loaded (not changed since), and\n"
		"that the dump target is writable (DUMP_TARGET's directory: a file is\n"
		"created and removed there; DEVICE:PATH: the device is there). Then,\n"
		"only when confirmed (typing 'yes' at the terminal, or --yes), panic\n"
		"the machine through /proc/sysrq-trigger. The capture saves the dump\n"
		"and reboots; at the next boot the service's journal and 'status' say\n"
		"that the panic was this test and what it left (the dump and its\n"
		"result, or that nothing arrived). When a check fails, or without\n"
		"confirmation, nothing is done (exit status 1). Needs root.\n"
		"\n"
		"  --yes   do not ask (scripts): panic after the checks\n",
	},
	{
		"propagate", 0, 0, verb_propagate, OPT(ARG_YES),
		"[--yes]",
		"Set up the ssh dump target: key, host key, key on the server.",
		"For DUMP_TARGET=ssh://[USER@]HOST[:PORT]/PATH, as kdumpctl propagate\n"
		"does: make SSH_KEY when it is missing (ed25519, no passphrase); record\n"
		"the server's host key in " CONFIG_SSH_KNOWN_HOSTS "\n"
		"under HOST when it is not there (its fingerprint is shown and must be\n"
		"confirmed: 'yes' at the terminal, or --yes); install the public key\n"
		"for USER on the server with ssh-copy-id (which asks for the password\n"
		"there if one is needed), unless it logs in already; then check what\n"
		"arming checks: the key logs in and PATH is a writable directory there.\n"
		"Exit status 1 when anything failed, saying what. Needs root.\n"
		"\n"
		"  --yes   record the server's host key without asking\n",
	},
	{
		"config", 0, 0, verb_config,
		OPT(ARG_CAPTURE) | OPT(ARG_DUMP_TARGET),
		"[--capture [--dump-target SPEC]]",
		"Check the configuration and print it, normalised.",
		"Read the configuration as 'load' does, fail with the same message when\n"
		"it is invalid, and print it normalised: one KEY=VALUE a line, every\n"
		"key, defaults filled in (an empty KERNEL or INITRD stands for the\n"
		"running kernel's default), the value verbatim to the end of the line:\n"
		"no quotes, no comments.\n"
		"\n"
		"  --capture           only what the capture initrd reads (DUMP_TARGET,\n"
		"                      CORE_COLLECTOR, FINAL_ACTION, KEEP_DUMPS, MIN_FREE\n"
		"                      in bytes or N%, KDUMP_PRE, KDUMP_POST,\n"
		"                      HOOK_TIMEOUT), after the line\n"
		"                      \"" CONFIG_CAPTURE_MAGIC "\": the file the dracut module\n"
		"                      writes as " CONFIG_CAPTURE_PATH " into the\n"
		"                      capture initrd. The shell scripts of the initrd\n"
		"                      read only that file.\n"
		"  --dump-target SPEC  DUMP_TARGET as the crash kernel must see it (the\n"
		"                      dracut module gives the UUID=...:PATH form of a\n"
		"                      target that is not on the root file system)\n"
		"\n"
		"No side effects; root not needed.\n",
	},
};

#define N_VERBS (sizeof(verbs) / sizeof(verbs[0]))

static void help(FILE *f)
{
	size_t i;

	fputs("Usage: " PROG " [--config PATH] [--device PATH] VERB [OPTIONS...]\n"
	      "\n"
	      "Arm kdump on a machine booted without crashkernel=: the crash region\n"
	      "is sized from the crash kernel and capture initrd, reserved at run time\n"
	      "through the lazy_cma module, and resizable without a reboot.\n"
	      "\n"
	      "Verbs:\n", f);
	for (i = 0; i < N_VERBS; i++)
		fprintf(f, "  %s %s\n      %s\n", verbs[i].name,
			verbs[i].synopsis, verbs[i].summary);
	fputs("\n"
	      "Run '" PROG " VERB --help' for what a verb does and its options.\n"
	      "\n"
	      "Options:\n"
	      "      --config PATH  configuration file (default " CONFIG_DEFAULT_PATH ";\n"
	      "                     it may be missing unless given explicitly)\n"
	      "      --device PATH  the lazy_cma device (default " LCMA_DEFAULT_DEVICE ")\n"
	      "  -h, --help         show this help and exit\n"
	      "      --version      show the version and exit\n"
	      "\n"
	      "SIZE is bytes with an optional binary unit (192M, 1.5G) or 'auto'.\n"
	      "Options override the configuration file, which overrides defaults.\n"
	      "\n"
	      "Configuration keys (KEY=VALUE, # comments, unknown keys are errors):\n"
	      "  KERNEL, INITRD, CMDLINE_REMOVE, CMDLINE_APPEND, SIZE (auto|SIZE),\n"
	      "  NODE, PLACEMENT (low|high), WORKING_MEMORY (held|split), and for the\n"
	      "  capture initrd DUMP_TARGET\n"
	      "  (default " CONFIG_DEFAULT_DUMP_TARGET "), CORE_COLLECTOR (default\n"
	      "  \"" CONFIG_DEFAULT_CORE_COLLECTOR "\"), FINAL_ACTION (reboot|poweroff|halt|shell),\n"
	      "  KEEP_DUMPS (default 3), MIN_FREE (SIZE or N%, default 5%), KDUMP_PRE,\n"
	      "  KDUMP_POST (hooks: absolute paths) and HOOK_TIMEOUT (default 60 s); and\n"
	      "  METRICS_FILE (PATH.prom or none; see 'metrics').\n"
	      "\n"
	      FILES_HELP
	      "\n"
	      "Environment:\n"
	      "  " ENV_CONFIG "     configuration file (like --config)\n"
	      "  " ENV_STATE_DIR "  directory of the state file and lock\n"
	      "  " ENV_MODPROBE "   command run as 'CMD lazy_cma' (default modprobe)\n"
	      "  " ENV_VARDIR "   directory of the arming marker (default\n"
	      "                        " LASTDUMP_DEFAULT_VARDIR ")\n"
	      "  " ENV_METRICS " the metrics file (like METRICS_FILE)\n"
	      "  " ENV_SYSROOT "    prefix of every /proc and /sys path (tests)\n"
	      "\n"
	      "Exit status:\n"
	      "  0  success (status: kdump is armed)\n"
	      "  1  failure; the message says what failed and what to do\n"
	      "  2  invalid command line\n"
	      "  3  status: kdump is not armed\n"
	      "\n"
	      "Examples:\n"
	      "  " PROG " estimate\n"
	      "  " PROG " load\n"
	      "  " PROG " status --json\n"
	      "  " PROG " metrics\n"
	      "  " PROG " test\n"
	      "  " PROG " config\n"
	      "  " PROG " resize 256M\n"
	      "  " PROG " unload\n", f);
}

static void verb_help(const struct verb *v, FILE *f)
{
	fprintf(f, "Usage: " PROG " %s %s\n\n%s", v->name, v->synopsis, v->help);
	fputs("\nExit status: 0 success, 1 failure, 2 invalid command line"
	      "; status: 3 not armed.\n", f);
}

static const struct verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < N_VERBS; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static const char *option_name(int val)
{
	const struct option *o;

	for (o = verb_options; o->name; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

static const char *bad_option(char **argv, char *buf, size_t size)
{
	if (optopt && optopt < 0x100) {
		snprintf(buf, size, "-%c", optopt);
		return buf;
	}
	if (optopt >= 0x100) {
		snprintf(buf, size, "--%s", option_name(optopt));
		return buf;
	}
	return argv[optind - 1];
}

/* load_config() without its messages (the verb gave them already). */
static int load_config_quiet(struct context *c)
{
	struct lk_error e = { "" };
	const char *path = c->config_path ? c->config_path : CONFIG_DEFAULT_PATH;
	int r = config_load(&c->cfg, path, c->config_explicit, &e);

	c->config_loaded = r == 0;
	return r;
}

static int dispatch(struct context *c, int argc, char **argv)
{
	const struct verb *v;
	char buf[64];
	unsigned int n;
	int opt, r;

	v = find_verb(argv[0]);
	if (!v)
		return usage_error(NULL, "Unknown verb '%s'.", argv[0]);

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", verb_options, NULL)) != -1) {
		if (opt >= ARG_KERNEL && !(v->options & OPT(opt)))
			return usage_error(v, "Option '--%s' does not apply to '%s'.",
					   option_name(opt), v->name);
		switch (opt) {
		case 'h':
			verb_help(v, stdout);
			return EXIT_SUCCESS;
		case ARG_CONFIG:
			c->config_path = optarg;
			c->config_explicit = true;
			break;
		case ARG_DEVICE:
			c->device = optarg;
			break;
		case ARG_KERNEL:
			c->kernel = optarg;
			break;
		case ARG_INITRD:
			c->initrd = optarg;
			break;
		case ARG_APPEND:
			c->append = optarg;
			break;
		case ARG_SIZE: {
			uint64_t s;

			if (strcmp(optarg, "auto") != 0 &&
			    (size_parse(optarg, &s) < 0 || s == 0))
				return usage_error(v, "Invalid size '%s': expected auto or a size such as 192M or 1G.",
						   optarg);
			c->size = optarg;
			break;
		}
		case ARG_NODE:
			r = node_parse(optarg, &c->node);
			if (r < 0)
				return usage_error(v, "Invalid node '%s': expected a NUMA node number such as 0 or 1.",
						   optarg);
			c->node_set = true;
			break;
		case ARG_PLACEMENT:
			if (placement_parse(optarg, &c->placement) < 0)
				return usage_error(v, "Invalid placement '%s': expected low or high.",
						   optarg);
			c->placement_set = true;
			break;
		case ARG_WORKING_MEMORY:
			if (working_memory_parse(optarg, &c->working_memory) < 0)
				return usage_error(v, "Invalid working memory '%s': expected held or split.",
						   optarg);
			c->working_memory_set = true;
			break;
		case ARG_JSON:
			c->json = true;
			break;
		case ARG_CAPTURE:
			c->capture = true;
			break;
		case ARG_WRITE:
			c->write = true;
			break;
		case ARG_YES:
			c->yes = true;
			break;
		case ARG_DUMP_TARGET:
			if (!*optarg || dump_target_check(optarg) < 0)
				return usage_error(v, "Invalid dump target '%s': expected an absolute PATH, DEVICE:PATH such as UUID=...:/crash, or raw:DEVICE.",
						   optarg);
			c->dump_target = optarg;
			break;
		case ':':
			return usage_error(v, "Option '%s' needs an argument.",
					   bad_option(argv, buf, sizeof(buf)));
		default:
			return usage_error(v, "Unknown option '%s'.",
					   bad_option(argv, buf, sizeof(buf)));
		}
	}

	n = (unsigned int)(argc - optind);
	if (n < v->min_args)
		return usage_error(v, "Too few arguments: " PROG " %s %s",
				   v->name, v->synopsis);
	if (n > v->max_args)
		return usage_error(v, "Too many arguments: " PROG " %s %s",
				   v->name, v->synopsis);
	if (v->fn == verb_resize && n == 1 && strcmp(argv[optind], "auto") != 0) {
		uint64_t s;

		if (size_parse(argv[optind], &s) < 0 || s == 0)
			return usage_error(v, "Invalid size '%s': expected auto or a size such as 192M or 1G.",
					   argv[optind]);
	}
	r = v->fn(c, v, (int)n, argv + optind);
	/*
	 * What changes the crash setup updates the metrics file, also after
	 * a failure (then it says "not armed" when that is so). Not without
	 * root: nothing changed then.
	 */
	if ((v->fn == verb_load || v->fn == verb_unload ||
	     v->fn == verb_resize || v->fn == verb_reload) &&
	    geteuid() == 0 && (c->config_loaded || load_config_quiet(c) == 0))
		metrics_update(c, false);
	return r;
}

static int close_stdout(void)
{
	int err = 0;

	if (fflush(stdout) != 0)
		err = errno > 0 ? -errno : -EIO;
	else if (ferror(stdout))
		err = -EIO;
	if (fclose(stdout) != 0 && !err)
		err = errno > 0 ? -errno : -EIO;
	return err;
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

int main(int argc, char **argv)
{
	struct context c;
	char buf[64];
	int opt, ret, r;

	memset(&c, 0, sizeof(c));
	c.started = (int64_t)time(NULL);
	config_init(&c.cfg);
	c.lock_fd = -1;
	c.node = -1;
	c.config_path = getenv(ENV_CONFIG);
	if (c.config_path && !*c.config_path)
		c.config_path = NULL;
	c.config_explicit = c.config_path != NULL;
	c.state_dir = env_or(ENV_STATE_DIR, STATE_DEFAULT_DIR);
	c.vardir = env_or(ENV_VARDIR, LASTDUMP_DEFAULT_VARDIR);
	c.sysroot = env_or(ENV_SYSROOT, NULL);
	c.modprobe = env_or(ENV_MODPROBE, "modprobe");
	/* Report EPIPE on stdout instead of dying in the middle of a verb. */
	signal(SIGPIPE, SIG_IGN);

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", global_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			help(stdout);
			ret = EXIT_SUCCESS;
			goto out;
		case ARG_VERSION:
			puts(PROG " " LAZY_KDUMP_VERSION);
			ret = EXIT_SUCCESS;
			goto out;
		case ARG_CONFIG:
			c.config_path = optarg;
			c.config_explicit = true;
			break;
		case ARG_DEVICE:
			c.device = optarg;
			break;
		case ':':
			ret = usage_error(NULL, "Option '%s' needs an argument.",
					  bad_option(argv, buf, sizeof(buf)));
			goto out;
		default:
			ret = usage_error(NULL, "Unknown option '%s'.",
					  bad_option(argv, buf, sizeof(buf)));
			goto out;
		}
	}
	if (optind >= argc) {
		ret = usage_error(NULL, "Missing verb.");
		goto out;
	}
	ret = dispatch(&c, argc - optind, argv + optind);
out:
	config_free(&c.cfg);
	if (c.lock_fd >= 0)
		close(c.lock_fd);
	r = close_stdout();
	if (r < 0 && ret != EXIT_USAGE && ret != EXIT_FAILURE) {
		log_failure(r, NULL, "Failed to write to stdout");
		ret = EXIT_FAILURE;
	}
	return ret;
}
