/* SPDX-License-Identifier: MIT */
/*
 * Turning a root process into the spec's process: rlimits, capabilities,
 * user ids, no_new_privs, seccomp, sysctls, LSM labels and fd hygiene.
 *
 * Container init and `exec` both call husk_process_finalize() as the last
 * step before execve(), so that the two doors can never diverge.  Checks
 * that need no process state (husk_sysctl_check, husk_lsm_check) are meant
 * to run in the parent before clone(), so that configuration errors appear
 * before anything is created.  The seccomp filter is the exception: the
 * init builds it before READY (a bad profile still fails create, and the
 * teardown leaves nothing) and loads that same filter after start, so a
 * run pays for one build, not two.
 */
#ifndef HUSK_SECURITY_H
#define HUSK_SECURITY_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "spec.h"

/*
 * Apply @proc to the calling (root, single-threaded) process, in this order:
 * rlimits, oom_score_adj, umask, LSM exec labels, capability bounding set,
 * supplementary groups / gid / uid, effective+permitted+inheritable and
 * ambient capabilities, no_new_privs, seccomp (@seccomp may be NULL).
 * Without no_new_privs the seccomp filter is loaded before the uid switch,
 * while CAP_SYS_ADMIN is still effective; with it, last of all.
 * When proc->caps.set is false the capability sets are left as the kernel
 * makes them (full root sets for uid 0).  The caller then execve()s.
 */
int husk_process_finalize(const struct husk_process *proc,
			  const struct husk_seccomp *seccomp,
			  struct husk_err *err);
/* The same with the filter already built (husk_seccomp_build; may be NULL). */
struct husk_seccomp_filter;
int husk_process_finalize_built(const struct husk_process *proc,
				struct husk_seccomp_filter *filter,
				struct husk_err *err);

/* --- the steps, usable on their own (runtime/finalize.c, caps.c) --- */

int husk_rlimits_apply(const struct husk_rlimit *rl, size_t n,
		       struct husk_err *err);
/* Write @adj to /proc/self/oom_score_adj (HUSK_UNSET: do nothing). */
int husk_oom_score_adj_apply(int64_t adj, struct husk_err *err);
/* "RLIMIT_NOFILE"; "RLIMIT_<n>" for unknown resources (static buffer). */
const char *husk_rlimit_name(int resource);

/*
 * Fail with "capabilities: CAP_X is not in the host's bounding set
 * (requested in process.capabilities.permitted)" and similar messages for
 * sets the kernel would refuse (effective not within permitted, ambient
 * not within permitted and inheritable).  Capabilities this kernel does not
 * know (above cap_last_cap) are ignored, as runc does.
 */
int husk_caps_check(const struct husk_caps *caps, struct husk_err *err);
/* Drop every capability not in caps->bounding from the bounding set. */
int husk_caps_drop_bounding(const struct husk_caps *caps, struct husk_err *err);
/* Set effective/permitted/inheritable (libcap) then the ambient set. */
int husk_caps_apply(const struct husk_caps *caps, struct husk_err *err);
/* "CAP_SYS_ADMIN" for capability @cap into @buf. */
const char *husk_cap_string(int cap, char *buf, size_t len);
/* Highest capability number this kernel knows (cap_last_cap). */
int husk_cap_last(void);

/* --- seccomp (runtime/seccomp.c) --- */

/*
 * Build the filter without loading it: unknown syscall names (unknown to
 * libseccomp for every architecture), architectures, actions and flags
 * are reported here.  Names known to libseccomp but absent on the
 * filter's architectures (or from this kernel) are skipped, as in runc.
 */
int husk_seccomp_validate(const struct husk_seccomp *seccomp,
			  struct husk_err *err);
/*
 * Build and load the filter into the calling process.  Never sets
 * no_new_privs itself: that is process.noNewPrivileges' business, so
 * without it the caller must still hold CAP_SYS_ADMIN.
 */
int husk_seccomp_load(const struct husk_seccomp *seccomp, struct husk_err *err);

/*
 * The two halves of husk_seccomp_load, so that the container init can
 * build (and so validate) the filter before it reports READY, and load it
 * after start.  @out is NULL when @seccomp is; loading NULL does nothing.
 */
int husk_seccomp_build(const struct husk_seccomp *seccomp,
		       struct husk_seccomp_filter **out, struct husk_err *err);
int husk_seccomp_load_filter(struct husk_seccomp_filter *filter,
			     struct husk_err *err);
void husk_seccomp_filter_free(struct husk_seccomp_filter *filter);

/* --- sysctl and LSMs (runtime/sysctl.c) --- */

/*
 * Refuse every linux.sysctl key that is not namespaced or whose namespace
 * the container does not get: kernel.shm*, kernel.msg*, kernel.sem and
 * fs.mqueue.* need an ipc namespace, net.* a network namespace,
 * kernel.hostname and kernel.domainname a uts namespace; anything else
 * ("vm.swappiness") would change the host and is refused.
 */
int husk_sysctl_check(const struct husk_kvv *sysctl, bool has_netns,
		      bool has_ipcns, bool has_utsns, struct husk_err *err);
/* Write each key to /proc/sys/<key, '.' -> '/'> (inside the container). */
int husk_sysctl_apply(const struct husk_kvv *sysctl, struct husk_err *err);

/*
 * Refuse process.apparmorProfile, process.selinuxLabel and linux.mountLabel
 * when the host lacks that LSM ("process.apparmorProfile: AppArmor is not
 * enabled on this host"), instead of silently running unconfined.
 */
int husk_lsm_check(const struct husk_process *proc, const char *mount_label,
		   struct husk_err *err);
/* Arrange for the next execve() to enter the AppArmor profile / label. */
int husk_lsm_apply(const struct husk_process *proc, struct husk_err *err);
bool husk_apparmor_enabled(void);
bool husk_selinux_enabled(void);

/* --- fd hygiene (runtime/fds.c) --- */

/*
 * Mark every fd >= @lowfd close-on-exec, except the @n_keep fds in @keep,
 * so that no runtime fd (a host directory, a cgroup, a state dir) leaks
 * into the container's process (CVE-2024-21626).  Uses
 * close_range(CLOSE_RANGE_CLOEXEC) when the kernel has it, else walks
 * /proc/self/fd.
 */
int husk_close_fds_from(int lowfd, const int *keep, size_t n_keep,
			struct husk_err *err);
/*
 * Like husk_close_fds_from() but closes them now: for a process about to
 * chdir into the container (exec), so that no host directory fd is there
 * to be named as a cwd like /proc/self/fd/N.
 */
int husk_close_fds_now(int lowfd, const int *keep, size_t n_keep,
		       struct husk_err *err);
/*
 * chdir(@cwd) and check the result is inside our root: getcwd() of a
 * directory outside it (reached through a leaked fd) is not absolute.
 */
int husk_enter_cwd(const char *cwd, struct husk_err *err);
/* The /proc/self/fd walk on its own (exposed for tests). */
int husk_cloexec_fds_walk(int lowfd, const int *keep, size_t n_keep,
			  struct husk_err *err);

#endif
