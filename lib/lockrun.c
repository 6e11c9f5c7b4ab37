#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
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
 * The terminal goes to the command's process group while it runs, as a
 * shell gives it to a job, so that it reads and is interrupted as if run
 * alone. SIGTTOU is blocked around it: taking the terminal back is done
 * from the background.
 */
static void
give_tty(pid_t pgid)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	tcsetpgrp(STDIN_FILENO, pgid);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * The child: leads a process group of its own, so that what it starts
 * (a pipeline's tools) can be stopped with it; dies with its parent,
 * then becomes the command. The parent may die between fork and prctl,
 * before there is anyone to signal the child; getppid() then no longer
 * names it, and the child must not start.
 */
static void __attribute__((noreturn))
child(char *const cmd[], pid_t parent, const sigset_t *mask, int tty)
{
	int err;

	setpgid(0, 0);
	if (tty)
		give_tty(getpid());
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

/*
 * The guardian: PR_SET_PDEATHSIG reaches the command alone, not what it
 * started, and a killed uoms-lock can do nothing. This second child
 * waits on a pipe only uoms-lock writes to; when the pipe closes without
 * the word that all went well, uoms-lock is dead, and the guardian kills
 * the command's whole process group. Returns its pid, with the pipe's
 * end to write in *done, or -1.
 */
static pid_t
guardian(pid_t pgid, int *done)
{
	int fd[2];
	char c;
	ssize_t n;
	pid_t g;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return -1;
	if ((g = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (g == 0) {
		close(fd[1]);
		while ((n = read(fd[0], &c, 1)) < 0 && errno == EINTR)
			;
		if (n <= 0)
			kill(-pgid, SIGKILL);
		_exit(0);
	}
	close(fd[0]);
	*done = fd[1];
	return g;
}

int
uoms_lockrun_command(char *const cmd[], long long period_ms,
    enum uoms_lockrun_renewal (*renew)(void *arg), void *arg)
{
	long long next, left;
	struct timespec ts;
	sigset_t set, old;
	pid_t pid, g, parent = getpid();
	int st = 0, sig, lost = 0, done = -1, w;
	int tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();

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
		child(cmd, parent, &old, tty);
	/* Both sides set the group, as shells do: whichever runs first. */
	setpgid(pid, pid);
	if (tty)
		give_tty(pid);
	if ((g = guardian(pid, &done)) < 0) {
		uoms_warn(NULL, "can't fork a guardian for '%s': %s", cmd[0],
		    strerror(errno));
		kill(-pid, SIGKILL);
	}
	next = now_ms() + period_ms;
	while ((w = waitpid(pid, &st, tty ? WNOHANG | WUNTRACED : WNOHANG))
	    == 0 || (w == pid && WIFSTOPPED(st))) {
		if (w == pid) {
			/* ^Z stopped the command: stop as a shell's job
			 * would, and carry on together when continued. */
			give_tty(getpgrp());
			raise(SIGSTOP);
			give_tty(pid);
			kill(-pid, SIGCONT);
			continue;
		}
		if ((left = next - now_ms()) <= 0) {
			/* A lost lock protects nothing: stop the command,
			 * and if it will not stop, kill it. */
			if (lost)
				kill(-pid, SIGKILL);
			else if (renew(arg) == UOMS_LOCKRUN_LOST) {
				lost = 1;
				kill(-pid, SIGTERM);
			}
			next = now_ms() + period_ms;
			continue;
		}
		ts.tv_sec = left / 1000;
		ts.tv_nsec = left % 1000 * 1000000;
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			kill(-pid, sig);
	}
	if (tty)
		give_tty(getpgrp());
	if (g > 0) {
		if (write(done, "d", 1) != 1)
			uoms_warn(NULL, "can't tell the guardian: %s",
			    strerror(errno));
		close(done);
		waitpid(g, NULL, 0);
	}
	/* Signals stay blocked: one arriving now must not cut short the
	 * release that follows. */
	if (lost)
		return UOMS_EXIT_CANNOT;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : UOMS_EXIT_CANNOT;
}
