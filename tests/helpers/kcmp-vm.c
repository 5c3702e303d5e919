/* SPDX-License-Identifier: MIT */
/*
 * kcmp-vm PID1 PID2: print "shared" when the two processes share one
 * address space (kcmp(2) KCMP_VM), "separate" otherwise.
 */
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long r;

	if (argc != 3) {
		fprintf(stderr, "usage: kcmp-vm PID1 PID2\n");
		return 2;
	}
	r = syscall(SYS_kcmp, atoi(argv[1]), atoi(argv[2]), KCMP_VM, 0, 0);
	if (r < 0) {
		perror("kcmp");
		return 1;
	}
	printf("%s\n", r == 0 ? "shared" : "separate");
	return 0;
}
