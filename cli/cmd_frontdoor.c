/* SPDX-License-Identifier: MIT */
/*
 * The front door: `husk run --rootfs DIR [flags] [--] CMD...` and
 * `husk spec --rootfs DIR [flags]`.  Both fill the spec through
 * husk_spec_from_flags(); `run` then serializes it and parses the text
 * back, exactly as a bundle's config.json would be, keeps that text in the
 * state dir (which is the container's bundle dir) and runs it with the OCI
 * `run` machinery (run.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../runtime/container.h"
#include "../runtime/spec_flags.h"
#include "../runtime/state.h"
#include "commands.h"
#include "run.h"

#define FLAGS_USAGE                                                          \
	"--rootfs DIR [--overlay | --overlay-upper DIR] [--memory SIZE]\n"   \
	"    [--cpus N] [--pids N] [--hostname H] [--env K=V]...\n"          \
	"    [--volume SRC:DST[:ro]]... [--workdir D] [--user U[:G]] [-t]\n" \
	"    [--net NAME|none|host] [--publish HOSTPORT:CTRPORT[/tcp|udp]]..."
#define RUN_USAGE                                                   \
	"usage: husk run " FLAGS_USAGE "\n"                         \
	"    [-d] [--name ID] [--rm] [--] CMD [ARG...]\n"           \
	"       husk run [OCI flags] ID   (a bundle's config.json)\n"
#define SPEC_USAGE                                                  \
	"usage: husk spec [--bundle DIR]\n"                         \
	"       husk spec [--bundle DIR] " FLAGS_USAGE " [--] [CMD [ARG...]]\n"

static const char flags_help[] =
	"  --rootfs DIR          the root filesystem; without --overlay the\n"
	"                        container writes into DIR itself\n"
	"  --overlay             DIR is a read-only lower layer; writes go to\n"
	"                        an upper dir in the state dir, removed with\n"
	"                        the container\n"
	"  --overlay-upper DIR   as --overlay, writes kept in DIR (persistent)\n"
	"  --memory SIZE         memory limit: 64m, 512k, 1g\n"
	"  --cpus N              CPU time: 0.5 = 50ms per 100ms period\n"
	"  --pids N              most tasks in the container\n"
	"  --hostname H          the container's hostname (default husk)\n"
	"  -e, --env K=V         set an environment variable\n"
	"  -v, --volume SRC:DST[:ro]  bind-mount host SRC on DST\n"
	"  -w, --workdir D       the command's working directory\n"
	"  -u, --user U[:G]      uid/gid or names from DIR/etc/passwd, group\n"
	"  -t, --tty             a terminal (foreground only)\n"
	"  --net NAME|none|host  network (default: husk, made on first use);\n"
	"                        none: loopback only; host: the host's\n"
	"  -p, --publish H:C[/tcp|udp]  host port H to container port C\n";

static const char run_help[] =
	"  -d, --detach          print the id and return; with --rm a small\n"
	"                        watcher deletes the container when it exits\n"
	"  --name ID             the container id (default: husk-<random>)\n"
	"  --rm                  delete the container when it exits; without\n"
	"                        it a stopped container stays for inspection\n"
	"                        (husk list, husk delete ID)\n";

static const char annotations_help[] =
	"\nhusk annotations in config.json (the flags above write them):\n"
	"  husk.overlay.lower    \"/l1:/l2:...\" read-only layers, top first;\n"
	"                        mounted as an overlay on root.path\n"
	"  husk.overlay.upper    a persistent upper dir (default: one in the\n"
	"                        state dir, removed on delete)\n"
	"  husk.overlay.readonly \"true\": no upper at all, a read-only root\n"
	"  husk.network          a network name, none or host\n"
	"  husk.publish          \"8080:80/tcp,53:53/udp\"\n";

/* Flags that `spec` does not take. */
struct run_opts {
	bool detach, rm;
	const char *name;
};

bool cli_wants_frontdoor(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--rootfs") ||
		    !strncmp(argv[i], "--rootfs=", 9))
			return true;
	return false;
}

void cli_spec_help(void)
{
	printf("%s\n%s%s", SPEC_USAGE, flags_help, annotations_help);
}

static int push(struct husk_strv *sv, const char *s)
{
	if (husk_strv_push(sv, s) < 0) {
		cli_error("out of memory");
		return -1;
	}
	return 0;
}

/* Fill @f (and @r for run, @bundle for spec); -1 on a usage error, 1 on --help. */
static int parse_flags(int argc, char **argv, struct husk_spec_flags *f,
		       struct run_opts *r, const char **bundle)
{
	static const struct option opts[] = {
		{ "rootfs", required_argument, NULL, 'R' },
		{ "overlay", no_argument, NULL, 'O' },
		{ "overlay-upper", required_argument, NULL, 'U' },
		{ "memory", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "pids", required_argument, NULL, 'P' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "env", required_argument, NULL, 'e' },
		{ "volume", required_argument, NULL, 'v' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "tty", no_argument, NULL, 't' },
		{ "net", required_argument, NULL, 'N' },
		{ "publish", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "rm", no_argument, NULL, 'X' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	/* '+': the first non-flag starts the command. */
	while ((c = getopt_long(argc, argv, "+m:e:v:w:u:tp:db:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 'R': f->rootfs = optarg; break;
		case 'O': f->overlay = true; break;
		case 'U': f->overlay_upper = optarg; break;
		case 'm': f->memory = optarg; break;
		case 'C': f->cpus = optarg; break;
		case 'P': f->pids = optarg; break;
		case 'H': f->hostname = optarg; break;
		case 'w': f->workdir = optarg; break;
		case 'u': f->user = optarg; break;
		case 't': f->tty = true; break;
		case 'N': f->net = optarg; break;
		case 'e': if (push(&f->env, optarg)) return -1; break;
		case 'v': if (push(&f->volumes, optarg)) return -1; break;
		case 'p': if (push(&f->publish, optarg)) return -1; break;
		case 'd': if (!r) goto run_only; r->detach = true; break;
		case 'n': if (!r) goto run_only; r->name = optarg; break;
		case 'X': if (!r) goto run_only; r->rm = true; break;
		case 'b': if (r) goto usage; *bundle = optarg; break;
		case 'h': return 1;
		default: goto usage;
		}
	}
	f->args = argv + optind;
	f->n_args = (size_t)(argc - optind);
	return 0;
run_only:
	cli_error("spec: %s is a flag of husk run", argv[optind - 1]);
	return -1;
usage:
	fputs(r ? RUN_USAGE : SPEC_USAGE, stderr);
	return -1;
}

/* husk-<12 hex digits>, like the short ids people know from Docker. */
static int generate_id(char *buf, size_t len)
{
	unsigned char rnd[6];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	snprintf(buf, len, "husk-%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5]);
	return 0;
}

/*
 * The state dir is the front-door container's bundle: config.json is kept
 * there by create.  It needs an absolute path, as any bundle does.
 */
static int state_bundle(const char *root, const char *id, char *dir,
			size_t len, struct husk_err *err)
{
	char abs_root[PATH_MAX], cwd[PATH_MAX];

	if (root[0] == '/') {
		snprintf(abs_root, sizeof(abs_root), "%s", root);
	} else if (!getcwd(cwd, sizeof(cwd)) ||
		   snprintf(abs_root, sizeof(abs_root), "%s/%s", cwd, root) >=
			   (int)sizeof(abs_root)) {
		return husk_fail(err, errno ? errno : ENAMETOOLONG,
				 "--root %s", root);
	}
	return husk_state_path(abs_root, id, NULL, dir, len, err);
}

/* The flags' spec as config.json text, parsed back into @b->spec. */
static int build_bundle(const struct husk_spec_flags *f, struct bundle *b,
			struct husk_err *err)
{
	struct husk_spec spec;
	int r;

	husk_spec_init(&spec);
	r = husk_spec_from_flags(f, &spec, err);
	if (r == 0)
		b->json = husk_spec_to_json(&spec, err);
	husk_spec_free(&spec);
	if (!b->json)
		return err->code ? err->code : -EINVAL;
	return husk_spec_parse(b->json, strlen(b->json), b->dir, &b->spec, err);
}

/*
 * -d --rm: no husk process outlives `run`, so leave a watcher that waits
 * for the init (a pidfd works for a process that is not our child) and
 * deletes the container, unless it was deleted and its id reused meanwhile.
 */
static void watch_and_delete(const struct husk_global *g, const char *id,
			     const sigset_t *set)
{
	struct husk_err err = { 0 };
	struct husk_state st, now;
	struct pollfd p = { .events = POLLIN };
	int devnull;

	if (husk_state_read(g->root, id, &st, &err) < 0)
		return husk_state_free(&st);
	if (fork() != 0) /* the caller returns; the child watches */
		return husk_state_free(&st);
	setsid();
	sigprocmask(SIG_UNBLOCK, set, NULL);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && devnull >= 0; fd++)
		dup2(devnull, fd);
	/* Hold nothing of the caller's: a pipe kept open would hang it. */
	syscall(SYS_close_range, 3, ~0U, 0);
	p.fd = (int)syscall(SYS_pidfd_open, st.pid, 0);
	while (p.fd >= 0 && poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	if (husk_state_read(g->root, id, &now, &err) == 0 &&
	    now.pid == st.pid && now.start_time == st.start_time)
		husk_container_delete(g->root, id, true, &err);
	_exit(0);
}

static int frontdoor_run(const struct husk_global *g,
			 const struct husk_spec_flags *f,
			 const struct run_opts *r)
{
	struct create_args a = { .detach = r->detach, .keep = !r->rm,
				 .id = r->name };
	struct husk_err err = { 0 };
	struct bundle b = { .json = NULL };
	char id[32];
	sigset_t set;
	int ret;

	husk_spec_init(&b.spec);
	if (f->tty && r->detach) {
		cli_error("run: -t with -d: a detached container has no "
			  "terminal to attach to");
		return 1;
	}
	if (!a.id) {
		if (generate_id(id, sizeof(id)) < 0) {
			cli_error("run: getrandom: %s", strerror(errno));
			return 1;
		}
		a.id = id;
	}
	if (husk_id_validate(a.id, &err) < 0 ||
	    state_bundle(g->root, a.id, b.dir, sizeof(b.dir), &err) < 0 ||
	    build_bundle(f, &b, &err) < 0) {
		ret = cli_fail(&err);
		goto out;
	}
	a.bundle = b.dir;
	cli_block_relayed(&set);
	ret = run_bundle(g, &a, &b, &set);
	if (ret == 0 && r->detach) {
		printf("%s\n", a.id);
		fflush(stdout);
		if (r->rm)
			watch_and_delete(g, a.id, &set);
	}
out:
	husk_spec_free(&b.spec);
	free(b.json);
	return ret;
}

int cmd_frontdoor_run(const struct husk_global *g, int argc, char **argv)
{
	struct husk_spec_flags f = { 0 };
	struct run_opts r = { 0 };
	int ret = parse_flags(argc, argv, &f, &r, NULL);

	if (ret == 1)
		printf("%s\n%s%s", RUN_USAGE, flags_help, run_help);
	else if (ret == 0 && f.n_args == 0)
		fputs("husk: run: a command is required\n" RUN_USAGE, stderr),
			ret = -1;
	else if (ret == 0)
		ret = frontdoor_run(g, &f, &r);
	husk_spec_flags_free(&f);
	return ret < 0 ? 1 : ret;
}

int cmd_frontdoor_spec(const struct husk_global *g, int argc, char **argv)
{
	struct husk_spec_flags f = { 0 };
	struct husk_err err = { 0 };
	struct husk_spec spec;
	const char *bundle = ".";
	int ret = parse_flags(argc, argv, &f, NULL, &bundle);

	(void)g;
	husk_spec_init(&spec);
	if (ret == 1) {
		cli_spec_help();
		ret = 0;
	} else if (ret == 0 && husk_spec_from_flags(&f, &spec, &err) < 0) {
		ret = cli_fail(&err);
	} else if (ret == 0) {
		ret = cli_write_spec(bundle, &spec);
	}
	husk_spec_free(&spec);
	husk_spec_flags_free(&f);
	return ret < 0 ? 1 : ret;
}
