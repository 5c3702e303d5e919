/* SPDX-License-Identifier: MIT */
/*
 * hugetlb-map [SECONDS]: map two 2 MiB huge pages, touch them (the cgroup
 * is charged at fault time), print "mapped", then sleep (default 60 s).
 * Built static so that it runs inside a busybox rootfs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_2M (2UL << 20)

int main(int argc, char **argv)
{
	unsigned int seconds = argc > 1 ? (unsigned int)atoi(argv[1]) : 60;
	size_t len = 2 * HUGE_2M;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED) {
		perror("hugetlb-map: mmap MAP_HUGETLB");
		return 1;
	}
	memset(p, 1, len);
	printf("mapped\n");
	fflush(stdout);
	sleep(seconds);
	return 0;
}
