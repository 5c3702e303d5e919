/* SPDX-License-Identifier: MIT */
/*
 * husk's default spec: what `husk spec` writes and what `husk run --rootfs`
 * starts from.  Like `runc spec`, but with Docker's safer defaults: its
 * capability set, masked and read-only /proc and /sys paths, and a seccomp
 * filter refusing the syscalls Docker refuses to unprivileged containers.
 *
 * It is written as config.json text and parsed by the real parser, so the
 * defaults can never drift from what the parser accepts.
 */
#include "spec_priv.h"

#include <string.h>

#if defined(__x86_64__)
#define DEFAULT_ARCHES "\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\""
#elif defined(__aarch64__)
#define DEFAULT_ARCHES "\"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\""
#else
#define DEFAULT_ARCHES "" /* the native architecture only */
#endif

#define DEFAULT_CAPS                                                        \
	"[\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_FSETID\", "            \
	"\"CAP_FOWNER\", \"CAP_MKNOD\", \"CAP_NET_RAW\", \"CAP_SETGID\", "  \
	"\"CAP_SETUID\", \"CAP_SETFCAP\", \"CAP_SETPCAP\", "                \
	"\"CAP_NET_BIND_SERVICE\", \"CAP_SYS_CHROOT\", \"CAP_KILL\", "      \
	"\"CAP_AUDIT_WRITE\"]"

/*
 * Refused with EPERM.  Names missing on an architecture (stime, vm86, ...)
 * are kept: the seccomp loader skips names it cannot resolve.  ptrace stays
 * allowed, as Docker does on kernels >= 4.8.
 */
#define DEFAULT_DENIED_SYSCALLS                                             \
	"\"kexec_load\", \"kexec_file_load\", \"init_module\", "            \
	"\"finit_module\", \"delete_module\", \"create_module\", "          \
	"\"get_kernel_syms\", \"query_module\", \"open_by_handle_at\", "    \
	"\"bpf\", \"perf_event_open\", \"add_key\", \"request_key\", "      \
	"\"keyctl\", \"reboot\", \"swapon\", \"swapoff\", \"acct\", "       \
	"\"settimeofday\", \"clock_settime\", \"stime\", \"pivot_root\", "  \
	"\"mount\", \"umount\", \"umount2\", \"fsopen\", \"fsconfig\", "    \
	"\"fsmount\", \"fspick\", \"move_mount\", \"open_tree\", "          \
	"\"mount_setattr\", \"unshare\", \"setns\", \"userfaultfd\", "      \
	"\"lookup_dcookie\", \"quotactl\", \"syslog\", \"uselib\", "        \
	"\"ustat\", \"sysfs\", \"_sysctl\", \"vm86\", \"vm86old\", "        \
	"\"nfsservctl\""

static const char default_json[] =
	"{"
	"\"ociVersion\": \"1.1.0\","
	"\"root\": {\"path\": \"rootfs\", \"readonly\": false},"
	"\"process\": {"
	" \"terminal\": false,"
	" \"user\": {\"uid\": 0, \"gid\": 0},"
	" \"args\": [\"sh\"],"
	" \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
	"/sbin:/bin\", \"TERM=xterm\"],"
	" \"cwd\": \"/\","
	" \"capabilities\": {\"bounding\": " DEFAULT_CAPS
	", \"effective\": " DEFAULT_CAPS ", \"permitted\": " DEFAULT_CAPS "},"
	" \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024,"
	" \"hard\": 1024}],"
	" \"noNewPrivileges\": true"
	"},"
	"\"hostname\": \"husk\","
	"\"mounts\": ["
	" {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
	" {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	"  \"options\": [\"nosuid\", \"strictatime\", \"mode=755\","
	" \"size=65536k\"]},"
	" {\"destination\": \"/dev/pts\", \"type\": \"devpts\","
	"  \"source\": \"devpts\", \"options\": [\"nosuid\", \"noexec\","
	" \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]},"
	" {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
	"  \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\","
	" \"size=65536k\"]},"
	" {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\","
	"  \"source\": \"mqueue\", \"options\": [\"nosuid\", \"noexec\","
	" \"nodev\"]},"
	" {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
	"  \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
	" {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\","
	"  \"source\": \"cgroup\", \"options\": [\"nosuid\", \"noexec\","
	" \"nodev\", \"relatime\", \"ro\"]}"
	"],"
	"\"linux\": {"
	" \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"},"
	" {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"},"
	" {\"type\": \"cgroup\"}],"
	" \"maskedPaths\": [\"/proc/asound\", \"/proc/acpi\", \"/proc/kcore\","
	" \"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\","
	" \"/proc/timer_stats\", \"/proc/sched_debug\", \"/proc/scsi\","
	" \"/sys/firmware\", \"/sys/devices/virtual/powercap\"],"
	" \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\","
	" \"/proc/sys\", \"/proc/sysrq-trigger\"],"
	" \"seccomp\": {"
	"  \"defaultAction\": \"SCMP_ACT_ALLOW\","
	"  \"architectures\": [" DEFAULT_ARCHES "],"
	"  \"syscalls\": [{\"names\": [" DEFAULT_DENIED_SYSCALLS "],"
	"   \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]"
	" }"
	"}"
	"}";

int husk_spec_default(struct husk_spec *spec, struct husk_err *err)
{
	int r = husk_spec_parse(default_json, strlen(default_json), NULL, spec,
				err);

	return r < 0 ? husk_err_prefix(err, "default spec") : 0;
}
