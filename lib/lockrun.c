#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "lockrun.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * The child: dies with its parent, then becomes the command. The parent
 * may die between fork and prctl, before there is anyone to signal the
 * child; getppid() then no longer names it, and the child must not start.
 */
static void __attribute__((noreturn))
child(char *const cmd[], pid_t parent, const sigset_t *mask)
{
	int err;

	sigprocmask(SIG_SETMASK, mask, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		uoms_warn(NULL, "can't tie '%s' to uoms-lock: %s", cmd[0],
		    strerror(errno));
		_exit(126);
	}
	if (getppid() != parent)
		_exit(126);
	execvp(cmd[0], cmd);
	err = errno;
	uoms_warn(NULL, "can't run '%s': %s", cmd[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

int
uoms_lockrun_command(char *const cmd[], long long period_ms,
    enum uoms_lockrun_renewal (*renew)(void *arg), void *arg)
{
	long long next, left;
	struct timespec ts;
	sigset_t set, old;
	pid_t pid, parent = getpid();
	int st = 0, sig, lost = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		uoms_warn(NULL, "can't fork: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		return UOMS_EXIT_CANNOT;
	}
	if (pid == 0)
		child(cmd, parent, &old);
	next = now_ms() + period_ms;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if ((left = next - now_ms()) <= 0) {
			/* A lost lock protects nothing: stop the command,
			 * and if it will not stop, kill it. */
			if (lost)
				kill(pid, SIGKILL);
			else if (renew(arg) == UOMS_LOCKRUN_LOST) {
				lost = 1;
				kill(pid, SIGTERM);
			}
			next = now_ms() + period_ms;
			continue;
		}
		ts.tv_sec = left / 1000;
		ts.tv_nsec = left % 1000 * 1000000;
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			kill(pid, sig);
	}
	/* Signals stay blocked: one arriving now must not cut short the
	 * release that follows. */
	if (lost)
		return UOMS_EXIT_CANNOT;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : UOMS_EXIT_CANNOT;
}
