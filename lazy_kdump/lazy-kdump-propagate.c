// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-kdump propagate: set up the ssh dump target (key, the server's host
 * key, the key installed there, the check arming does). The work is done
 * by LAZY_KDUMP_PROPAGATE, a script, since it is a sequence of ssh tools.
 */
#include <stdlib.h>

#include "lazy-kdump.h"

int verb_propagate(struct context *c, const struct verb *v, int argc,
		   char **argv)
{
	char *args[3];
	int n = 0, r;

	(void)v;
	(void)argc;
	(void)argv;
	if (need_root("propagate") < 0 || load_config(c) < 0)
		return EXIT_FAILURE;
	if (config_net_kind(&c->cfg) != NET_SSH) {
		log_msg("DUMP_TARGET=%s is not an ssh:// target: 'propagate' sets up ssh://[USER@]HOST[:PORT]/PATH; set DUMP_TARGET in %s first.",
			c->cfg.dump_target ? c->cfg.dump_target :
			CONFIG_DEFAULT_DUMP_TARGET,
			c->config_path ? c->config_path : CONFIG_DEFAULT_PATH);
		return EXIT_FAILURE;
	}
	args[n++] = (char *)LAZY_KDUMP_PROPAGATE;
	if (c->yes)
		args[n++] = (char *)"--yes";
	args[n] = NULL;
	r = run_helper(c, args);
	if (r < 0) {
		log_failure(r, "Reinstall lazy-kdump.", "Failed to run %s",
			    LAZY_KDUMP_PROPAGATE);
		return EXIT_FAILURE;
	}
	/* The script said what failed. */
	return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
