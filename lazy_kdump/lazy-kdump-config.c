// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-kdump config: read the configuration as 'load' does and print it
 * normalised, whole or (--capture) only what the capture initrd reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lazy-kdump.h"

int verb_config(struct context *c, const struct verb *v, int argc,
		char **argv)
{
	const char *path = c->config_path ? c->config_path : CONFIG_DEFAULT_PATH;
	char *text, *dt;

	(void)argc;
	(void)argv;
	if (c->dump_target && !c->capture)
		return usage_error(v, "--dump-target applies only with --capture.");
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (c->dump_target) {
		dt = strdup(c->dump_target);
		if (!dt) {
			log_failure(-ENOMEM, NULL, "Failed to copy the dump target");
			return EXIT_FAILURE;
		}
		free(c->cfg.dump_target);
		c->cfg.dump_target = dt;
	}
	text = config_format(&c->cfg, c->capture ? CONFIG_FORMAT_CAPTURE :
			     CONFIG_FORMAT_FULL, path);
	if (!text) {
		log_failure(-ENOMEM, NULL, "Failed to write out the configuration %s",
			    path);
		return EXIT_FAILURE;
	}
	fputs(text, stdout);
	free(text);
	return EXIT_SUCCESS;
}
