// SPDX-License-Identifier: GPL-2.0
/*
 * The state file (round trip, bad content) and the lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"
#include "tap.h"

int main(void)
{
	char dir[] = "/tmp/test-state.XXXXXX", cmd[128];
	struct lk_state s, r;
	struct lk_error e = { "" };
	int fd, fd2, rc;
	pid_t pid;

	if (!mkdtemp(dir)) {
		skip("mkdtemp failed", "state tests");
		return tap_done();
	}
	is_int(state_read(dir, &r, &e), -ENOENT, "no state yet: -ENOENT");

	state_init(&s);
	s.armed = true;
	s.armed_at = 1700000000;
	s.kernel = strdup("/boot/vmlinuz-6.12");
	s.initrd = strdup("/var/lib/lazy-kdump/initrd with blank.img");
	s.cmdline = strdup("root=/dev/vda a=\"b c\" nr_cpus=1");
	s.size = 96ULL << 20;
	s.size_auto = false;
	s.node = 1;
	s.high = true;
	s.main_addr = 0x140000000ULL;
	s.main_len = 96ULL << 20;
	s.low_addr = 0x30000000;
	s.low_len = 256ULL << 20;
	s.split = true;
	is_int(state_write(dir, &s), 0, "state written");
	is_int(state_read(dir, &r, &e), 0, "state read back (%s)", e.msg);
	ok(r.armed && !r.boot_time && r.armed_at == 1700000000 &&
	   r.size == s.size && !r.size_auto && r.node == 1 && r.high &&
	   r.main_addr == s.main_addr && r.main_len == s.main_len &&
	   r.low_addr == s.low_addr && r.low_len == s.low_len && r.split,
	   "every number survives, split working memory too");
	is_str(r.kernel, s.kernel, "kernel survives");
	is_str(r.initrd, s.initrd, "initrd survives");
	is_str(r.cmdline, s.cmdline, "cmdline survives");
	state_free(&r);

	free(s.cmdline);
	s.cmdline = strdup("a\nb");
	is_int(state_write(dir, &s), -EINVAL, "a newline in a value is refused");
	state_free(&s);

	ok(state_parse("version=1\nfuture_key=whatever\narmed=1\n", &r, &e) == 0 && r.armed,
	   "unknown keys are ignored");
	state_free(&r);
	ok(state_parse("version=2\n", &r, &e) == -EINVAL && strstr(e.msg, "version"),
	   "another version is refused (%s)", e.msg);
	ok(state_parse("armed=yes\n", &r, &e) == -EINVAL && strstr(e.msg, "line 1"),
	   "a bad value is refused (%s)", e.msg);
	ok(state_parse("garbage\n", &r, &e) == -EINVAL, "a line without '=' is refused");
	ok(state_parse("working_memory=lent\n", &r, &e) == -EINVAL,
	   "an unknown working_memory is refused");
	state_free(&r);
	ok(state_parse("version=1\narmed=1\n", &r, &e) == 0 && !r.split,
	   "a state written before working_memory: held");
	state_free(&r);
	ok(state_parse("main_addr=0x1000\nnode=-1\n", &r, &e) == 0 &&
	   r.main_addr == 0x1000 && r.node == -1, "hex address, node -1");
	state_free(&r);

	is_int(state_remove(dir), 0, "state removed");
	is_int(state_remove(dir), 0, "removing twice is fine");
	is_int(state_read(dir, &r, &e), -ENOENT, "gone");

	/* The lock: held by a child, refused without waiting. */
	is_int(state_lock(dir, false, &fd), 0, "lock taken");
	pid = fork();
	if (pid == 0) {
		int f, x = state_lock(dir, false, &f);

		_exit(x == -EWOULDBLOCK ? 0 : 1);
	}
	waitpid(pid, &rc, 0);
	ok(WIFEXITED(rc) && WEXITSTATUS(rc) == 0,
	   "another process gets -EWOULDBLOCK while it is held");
	close(fd);
	is_int(state_lock(dir, false, &fd2), 0, "free again after close");
	close(fd2);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return tap_done();
}
