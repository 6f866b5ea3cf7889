/* lib/rawsys.h: system calls that never touch errno.
 *
 * A child created with clone(CLONE_VM) runs in its parent's memory and,
 * without CLONE_SETTLS, with its parent thread's thread-local storage:
 * errno included. glibc's syscall(2) writes errno on every failure, so a
 * child that its parent does not wait for would write the errno of a thread
 * that is running meanwhile and may be between a failing call of its own
 * and the read of its errno. rawsys makes the call itself and returns the
 * kernel's answer: the result, or -ERRNO; nothing is written but what the
 * call writes.
 *
 * RAWSYS_OWN_ERRNO is 1 where the call is made here (x86-64, arm64); 0
 * elsewhere, where rawsys goes through syscall(2) (and so writes errno):
 * code that needs the guarantee checks it (crond/run/runner.c).
 *
 *   long r = rawsys(SYS_setsid);
 *   if (r < 0) ... -r is the error number
 */
#ifndef LIB_RAWSYS_H
#define LIB_RAWSYS_H

#include <sys/syscall.h>

#if defined(__x86_64__)
#define RAWSYS_OWN_ERRNO 1
static inline long rawsys6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define RAWSYS_OWN_ERRNO 1
static inline long rawsys6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	register long x4 __asm__("x4") = a5;
	register long x5 __asm__("x5") = a6;
	__asm__ volatile("svc 0"
	                 : "+r"(x0)
	                 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
	                 : "memory");
	return x0;
}
#else
#include <errno.h>
#include <unistd.h>
#define RAWSYS_OWN_ERRNO 0
static inline long rawsys6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long r = syscall(nr, a1, a2, a3, a4, a5, a6);
	return r == -1 ? -errno : r;
}
#endif

/* rawsys(NR, ARGS...): up to six arguments, each passed as a long. */
#define RAWSYS_PICK(nr, a1, a2, a3, a4, a5, a6, ...)                                  \
	rawsys6((long)(nr), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5), \
	        (long)(a6))
#define rawsys(...) RAWSYS_PICK(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

#endif
