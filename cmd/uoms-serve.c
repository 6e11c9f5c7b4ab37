/* uoms-serve: the HTTP API, live dashboard and channel webhooks (SPEC 9). */
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "rules.h"
#include "serve.h"

static const char usage[] =
"usage: uoms-serve [-d DB] [-c CONFIG] [--listen ADDR:PORT] [--require-if-match]\n"
"                  [--threads N]\n";

enum { OPT_LISTEN = UOMS_OPT_TOOL, OPT_REQUIRE_IF_MATCH, OPT_THREADS };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "require-if-match", no_argument, NULL, OPT_REQUIRE_IF_MATCH },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ NULL, 0, NULL, 0 }
};

/* A whole number of the configuration's serve section, in [min, max]. */
static long long
setting(const struct uoms_cli *cli, const char *key, long long def,
    long long min, long long max)
{
	int bad = 0;
	long long v = uoms_config_num(&cli->config, key, def, &bad);

	if (bad || v < min || v > max)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: %s must be a whole "
		    "number from %lld to %lld", key, min, max);
	return v;
}

/* Takes key text of 32 to 64 bytes as the signing key. */
static void
use_key(struct uoms_serve_opts *o, const char *key, size_t n,
    const char *from)
{
	while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r'))
		n--;
	if (n < 32 || n > sizeof o->jwt_key)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s: the token signing key "
		    "must be 32 to %zu bytes, not %zu", from, sizeof o->jwt_key,
		    n);
	memcpy(o->jwt_key, key, n);
	o->jwt_key_len = n;
}

/* Reads a key file, which no one but its owner may read. */
static void
read_key_file(struct uoms_serve_opts *o, const char *path)
{
	char key[sizeof o->jwt_key + 2];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		uoms_die(UOMS_EXIT_CANNOT, path, "can't read the token "
		    "signing key: %s", strerror(errno));
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		close(fd);
		uoms_die(UOMS_EXIT_CANNOT, path, "the token signing key may be "
		    "read by others: make it mode 0600");
	}
	n = read(fd, key, sizeof key);
	close(fd);
	if (n < 0)
		uoms_die(UOMS_EXIT_CANNOT, path, "can't read the token "
		    "signing key: %s", strerror(errno));
	use_key(o, key, n, path);
	OPENSSL_cleanse(key, sizeof key);
}

/* Makes a new key file (0600): 32 random bytes, as 64 hex digits. */
static void
make_key_file(const char *path)
{
	unsigned char raw[32];
	char hex[66];
	int fd;

	if (RAND_bytes(raw, sizeof raw) != 1)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "no random bytes for a token "
		    "signing key");
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[64] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return;		/* another server made it first: use it */
	if (fd < 0 || write(fd, hex, 65) != 65 || fsync(fd) != 0 ||
	    close(fd) != 0)
		uoms_die(UOMS_EXIT_CANNOT, path, "can't write a token signing "
		    "key: %s", strerror(errno));
	OPENSSL_cleanse(raw, sizeof raw);
	OPENSSL_cleanse(hex, sizeof hex);
	uoms_warn(path, "made a new token signing key (mode 0600); keep it "
	    "with the store's backups: tokens signed with it die with it");
}

/*
 * The signing key: $UOMS_JWT_KEY, else the file serve.jwt_key_file
 * names, else a file beside a SQLite store, made on first start. A
 * PostgreSQL store has no folder, and its servers must share one key.
 */
static void
load_key(struct uoms_serve_opts *o, const struct uoms_cli *cli)
{
	const char *env = getenv("UOMS_JWT_KEY");
	const char *file = uoms_config_get(&cli->config,
	    "serve.jwt_key_file", NULL);
	char path[4200];

	if (env != NULL && *env != '\0') {
		use_key(o, env, strlen(env), "UOMS_JWT_KEY");
		return;
	}
	if (file != NULL) {
		read_key_file(o, file);
		return;
	}
	if (!uoms_store_is_file(o->db))
		uoms_die(UOMS_EXIT_CANNOT, NULL, "no token signing key: set "
		    "UOMS_JWT_KEY or serve.jwt_key_file (every server of a "
		    "PostgreSQL store needs the same key)");
	snprintf(path, sizeof path, "%s.jwt-key", o->db);
	make_key_file(path);
	read_key_file(o, path);
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_serve_opts o = { 0 };
	struct uoms_store *s;
	char why[512], www[4200];
	const char *listen = NULL;
	long long threads = 0;
	int opt, status;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_LISTEN: listen = optarg; break;
		case OPT_REQUIRE_IF_MATCH: o.require_if_match = 1; break;
		case OPT_THREADS:
			threads = uoms_cli_number(&cli, "--threads", optarg, 1,
			    256);
			break;
		}
	}
	if (optind < argc)
		uoms_cli_usage_error(&cli, "unexpected argument '%s'",
		    argv[optind]);
	uoms_cli_finish(&cli);
	uoms_cli_workflows(&cli);
	o.db = cli.db;
	o.config = &cli.config;
	o.listen = listen != NULL ? listen : uoms_config_get(&cli.config,
	    "serve.listen", "127.0.0.1:8080");
	if (uoms_serve_listen_check(o.listen) < 0)
		uoms_cli_usage_error(&cli, "listen: '%s' is not ADDRESS:PORT "
		    "(an IPv4 address, or *)", o.listen);
	o.threads = threads != 0 ? threads : setting(&cli, "serve.threads",
	    sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) :
	    2, 1, 256);
	o.require_if_match |= setting(&cli, "serve.require_if_match", 0, 0, 1);
	o.max_body = setting(&cli, "serve.max_body", 1 << 20, 1024, 1 << 30);
	o.max_header = setting(&cli, "serve.max_header", 32 << 10, 4096,
	    1 << 20);
	o.max_connections = setting(&cli, "serve.max_connections", 1024, 1,
	    100000);
	o.connection_timeout = setting(&cli, "serve.connection_timeout", 30,
	    1, 3600);
	o.access_ttl = setting(&cli, "serve.access_ttl", 3600, 10, 86400);
	o.refresh_ttl = setting(&cli, "serve.refresh_ttl", 7 * 86400, 60,
	    365 * 86400LL);
	/* Read again by each login (serve-auth.c): checked once here, so a
	 * typo stops the start instead of throttling over 900 s unsaid. */
	(void)setting(&cli, "serve.login_window", 900, 1, 30 * 86400LL);
	snprintf(www, sizeof www, "%s/www", uoms_cli_data_dir());
	o.www = www;
	if (uoms_intake_setup(&cli.config, why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	/* Made and migrated once here, before any worker opens it. */
	if ((s = uoms_store_open(o.db, UOMS_STORE_WRITE, &cli.config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	uoms_store_close(s);
	load_key(&o, &cli);
	status = uoms_serve_run(&o);
	OPENSSL_cleanse(o.jwt_key, sizeof o.jwt_key);
	uoms_config_free(&cli.config);
	return status;
}
