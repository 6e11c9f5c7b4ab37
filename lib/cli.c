#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "line.h"
#include "workflow.h"

void
uoms_cli_init(struct uoms_cli *cli, const char *argv0, const char *usage)
{
	memset(cli, 0, sizeof *cli);
	uoms_err_setprog(argv0);
	cli->usage = usage;
}

int
uoms_cli_getopt(int argc, char **argv, const char *shortopts,
    const struct option *longopts, int *longindex)
{
	char *argv0 = argv[0];
	int opt;

	/*
	 * getopt names argv[0] in its messages, which is a path, or the
	 * command word when a tool parses the words after its command.
	 */
	argv[0] = (char *)uoms_err_prog();
	opt = getopt_long(argc, argv, shortopts, longopts, longindex);
	argv[0] = argv0;
	return opt;
}

void
uoms_cli_usage_error(const struct uoms_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", uoms_err_prog());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", cli->usage);
	exit(UOMS_EXIT_USAGE);
}

int
uoms_cli_option(struct uoms_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case 'h':
		fputs(cli->usage, stdout);
		exit(uoms_out_flush() == 0 ? UOMS_EXIT_OK : UOMS_EXIT_CANNOT);
	case UOMS_OPT_VERSION:
		printf("%s %s\n", uoms_err_prog(), UOMS_VERSION);
		exit(uoms_out_flush() == 0 ? UOMS_EXIT_OK : UOMS_EXIT_CANNOT);
	case 'd':
		cli->db_flag = arg;
		return 1;
	case 'c':
		cli->config_flag = arg;
		return 1;
	case UOMS_OPT_ACTOR:
		cli->actor_flag = arg;
		return 1;
	case '?':
		fputs(cli->usage, stderr);
		exit(UOMS_EXIT_USAGE);
	}
	return 0;
}

static const char *
login_name(void)
{
	const char *s = getenv("LOGNAME");
	struct passwd *pw;

	if (s != NULL && *s != '\0')
		return s;
	if ((s = getenv("USER")) != NULL && *s != '\0')
		return s;
	pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_name : "unknown";
}

static const char *
first(const char *a, const char *b)
{
	return a != NULL && *a != '\0' ? a : b;
}

/* An environment variable set to nothing is as good as unset: a shell's
 * UOMS_CONFIG= must not name the file "". */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

void
uoms_cli_finish(struct uoms_cli *cli)
{
	const char *path = first(cli->config_flag, env("UOMS_CONFIG"));
	char why[512];

	/* A tool and the runner it hands over to may both finish: the
	 * configuration is loaded once (a second load leaked the first). */
	if (cli->db != NULL)
		return;
	if (path == NULL && access("/etc/uoms/uoms.yaml", F_OK) == 0)
		path = "/etc/uoms/uoms.yaml";
	if (uoms_config_load(&cli->config, path, why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: %s", why);
	cli->db = first(cli->db_flag, first(env("UOMS_DB"),
	    uoms_config_get(&cli->config, "db", "./uoms.db")));
	cli->actor = first(cli->actor_flag, first(env("UOMS_ACTOR"),
	    login_name()));
}

long long
uoms_cli_number(const struct uoms_cli *cli, const char *name, const char *arg,
    long long min, long long max)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || n < min || n > max)
		uoms_cli_usage_error(cli, "%s: '%s' is not a number from %lld "
		    "to %lld", name, arg, min, max);
	return n;
}

void
uoms_cli_refuse_tty(const struct uoms_cli *cli)
{
	if (isatty(0)) {
		fputs(cli->usage, stderr);
		exit(UOMS_EXIT_USAGE);
	}
}

static int
is_dir(const char *base, const char *sub)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof path, "%s/%s", base, sub);
	return access(path, R_OK | X_OK) == 0;
}

const char *
uoms_cli_data_dir(void)
{
	static char dir[PATH_MAX + 32];
	char self[PATH_MAX];
	const char *env = getenv("UOMS_DATA");
	ssize_t n;

	if (dir[0] != '\0')
		return dir;
	if (env != NULL && *env != '\0') {
		snprintf(dir, sizeof dir, "%s", env);
		return dir;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(dir, sizeof dir, "%s/../share/uoms", self);
		if (is_dir(dir, "workflows"))
			return dir;
		snprintf(dir, sizeof dir, "%s/../../share/uoms", self);
		if (is_dir(dir, "workflows"))
			return dir;
	}
	snprintf(dir, sizeof dir, "%s", UOMS_DATADIR);
	return dir;
}

void
uoms_cli_workflows(const struct uoms_cli *cli)
{
	static char shipped[PATH_MAX + 64], override[PATH_MAX + 64];
	char conf[PATH_MAX];

	snprintf(shipped, sizeof shipped, "%s/workflows", uoms_cli_data_dir());
	if (cli->config.path != NULL) {
		snprintf(conf, sizeof conf, "%s", cli->config.path);
		snprintf(override, sizeof override, "%s/workflows",
		    dirname(conf));
	} else
		snprintf(override, sizeof override, "/etc/uoms/workflows");
	uoms_workflow_dirs(shipped, override);
}

int
uoms_cli_read_line(char *buf, size_t size)
{
	size_t n = 0;
	int toolong = 0;
	ssize_t r;
	char c;

	while ((r = read(0, &c, 1)) == 1 && c != '\n') {
		if (n + 1 < size)
			buf[n++] = c;
		else
			toolong = 1;
	}
	if (r <= 0 && n == 0 && !toolong)
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return toolong ? -2 : (int)n;
}

static struct termios saved_tty;

/* Puts echo back if the prompt is interrupted, then dies of the signal. */
static void
restore_tty(int sig)
{
	tcsetattr(0, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

int
uoms_cli_prompt_hidden(const char *prompt, char *buf, size_t size)
{
	struct termios t;
	int n;

	if (tcgetattr(0, &saved_tty) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't read the terminal");
	t = saved_tty;
	t.c_lflag &= ~ECHO;
	signal(SIGINT, restore_tty);
	signal(SIGTERM, restore_tty);
	signal(SIGHUP, restore_tty);
	fputs(prompt, stderr);
	tcsetattr(0, TCSAFLUSH, &t);
	n = uoms_cli_read_line(buf, size);
	tcsetattr(0, TCSAFLUSH, &saved_tty);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	fputc('\n', stderr);
	return n;
}
