/*
 * lockrun: the process side of `uoms-lock run`. Runs a command and ties its
 * life to the caller's: the command never runs on without the locks. It is
 * killed when the caller dies, even by SIGKILL (which leaves the locks to
 * expire, their renewals stopped), and stopped when a renewal finds a lock
 * lost. Knows processes and signals, not the store: renewing is the
 * caller's, through a callback.
 */
#ifndef UOMS_LOCKRUN_H
#define UOMS_LOCKRUN_H

/* What a renewal found. */
enum uoms_lockrun_renewal {
	UOMS_LOCKRUN_KEPT,	/* every lock renewed */
	UOMS_LOCKRUN_FAILED,	/* not renewed this time (store busy): retry */
	UOMS_LOCKRUN_LOST	/* a lock is gone: the command must stop */
};

/*
 * Runs cmd (cmd[0] looked up in PATH, cmd NULL-terminated) and waits for
 * it, calling renew(arg) every period_ms milliseconds meanwhile. The
 * command leads a process group of its own (given the terminal when the
 * caller has it). SIGINT, SIGTERM and SIGHUP sent to the caller are passed
 * on to that group. The group gets SIGKILL when the caller dies (a guardian
 * process sees it; PR_SET_PDEATHSIG backs it for the command). When renew
 * says LOST the group gets SIGTERM, then SIGKILL if the command is still
 * there a period later.
 *
 * Returns the command's exit status, 128 + the signal that killed it, 127
 * (not found) or 126 (not runnable) with a warning printed, or
 * UOMS_EXIT_CANNOT when it cannot fork or a lock was lost. No transaction
 * may be open: the command may use the store.
 */
int uoms_lockrun_command(char *const cmd[], long long period_ms,
    enum uoms_lockrun_renewal (*renew)(void *arg), void *arg);

#endif
