/* SPDX-License-Identifier: MIT */
/*
 * husk-exec: the last hop into a container (CVE-2019-5736, see
 * runtime/selfexe.c).  Built freestanding and static, a few KB, and
 * embedded in husk, which runs it from a sealed memfd:
 *
 *	husk-exec PATH ARGV0 ARGS...	->	execve(PATH, [ARGV0, ARGS...])
 *
 * No libc: nothing to load from the container, nothing to initialise.
 * Any other argv[0] (a "#!/proc/self/exe" script lands here) is refused,
 * so such a script cannot loop through us.
 */

#if defined(__x86_64__)
#define NR_write 1
#define NR_execve 59
#define NR_exit_group 231

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The kernel leaves argc at (%rsp); keep the stack 16-byte aligned. */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call tramp_main\n"
	"	hlt\n");
#elif defined(__aarch64__)
#define NR_write 64
#define NR_execve 221
#define NR_exit_group 94

static long sys3(long nr, long a, long b, long c)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2)
			 : "memory");
	return x0;
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	and sp, x0, #-16\n"
	"	bl tramp_main\n"
	"	brk #0\n");
#else
#error "husk-exec: no _start for this architecture"
#endif

#define ENOENT 2
#define EACCES 13

static unsigned long len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys3(NR_write, 2, (long)s, (long)len(s));
}

/* Why, in the words strerror() would use, for what execve() returns. */
static const char *reason(long e)
{
	switch (e) {
	case 1: return "Operation not permitted";
	case ENOENT: return "No such file or directory";
	case 7: return "Argument list too long";
	case 8: return "Exec format error";
	case 12: return "Cannot allocate memory";
	case EACCES: return "Permission denied";
	case 20: return "Not a directory";
	case 21: return "Is a directory";
	case 26: return "Text file busy";
	case 36: return "File name too long";
	case 40: return "Too many levels of symbolic links";
	default: return "exec failed";
	}
}

static _Noreturn void fail(const char *what, const char *why, int code)
{
	say("husk: exec ");
	say(what);
	say(": ");
	say(why);
	say("\n");
	sys3(NR_exit_group, code, 0, 0);
	__builtin_unreachable();
}

static int is_us(const char *argv0)
{
	const char *want = "husk-exec";

	while (*want && *argv0 == *want)
		argv0++, want++;
	return !*want && !*argv0;
}

/* Called from _start with the initial stack: argc, argv..., 0, envp... */
__attribute__((used)) _Noreturn void tramp_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	long e;

	if (argc < 3 || !is_us(argv[0]))
		fail(argc > 0 ? argv[0] : "?", "not a husk-exec call", 126);
	e = -sys3(NR_execve, (long)argv[1], (long)(argv + 2), (long)envp);
	fail(argv[1], reason(e), e == ENOENT ? 127 : 126);
}
