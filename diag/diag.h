/* SPDX-License-Identifier: MIT */
/* diag/: readers of /proc and cgroupfs: iowait, PSI, hugepages, OOM events. */
#ifndef HUSK_DIAG_H
#define HUSK_DIAG_H

#include "../runtime/err.h"

#endif
