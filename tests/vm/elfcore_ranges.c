// SPDX-License-Identifier: GPL-2.0
/*
 * elfcore_ranges - the physical ranges an ELF core file (/proc/vmcore in a
 * crash kernel) describes: one "0xSTART 0xEND" line (END exclusive) per
 * PT_LOAD segment, in file order.
 *
 *   elfcore_ranges [FILE]        (default /proc/vmcore)
 *
 * Exit status 1 when FILE is not a 64-bit ELF file or cannot be read.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/proc/vmcore";
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "elfcore_ranges: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph)) {
		fprintf(stderr, "elfcore_ranges: %s is not a 64-bit ELF core\n",
			path);
		return 1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) !=
		    sizeof(ph)) {
			fprintf(stderr, "elfcore_ranges: %s: short read\n",
				path);
			return 1;
		}
		if (ph.p_type == PT_LOAD)
			printf("0x%" PRIx64 " 0x%" PRIx64 "\n",
			       (uint64_t)ph.p_paddr,
			       (uint64_t)(ph.p_paddr + ph.p_memsz));
	}
	close(fd);
	return 0;
}
