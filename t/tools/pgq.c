/*
 * pgq: the tests' SQL on PostgreSQL (t/helper.bash's sql, pg_sql and
 * store_fresh), as `psql -qXAt -F'|' -v ON_ERROR_STOP=1 URL -c SQL`
 * prints it, at a tenth of psql's start-up: psql loads readline and
 * its settings, 36 ms of CPU a call, and a make check makes thousands.
 *
 * SQL goes as one query string (statements separated by ';' run in one
 * implicit transaction, as with psql -c); the rows of each statement
 * that returns rows are printed, their columns joined by SEP (-F,
 * default '|'), a NULL as nothing. With -b a boolean column prints 1
 * or 0, as sqlite3 prints a truth. The server's error goes to stderr
 * and the exit status is 1; no connection, 2.
 *
 *	usage: pgq [-b] [-F SEP] URL SQL
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#define BOOLOID 16	/* pg_type.h's, which libpq-fe.h does not give */

static void
print_rows(const PGresult *res, const char *sep, int truths)
{
	int rows = PQntuples(res), cols = PQnfields(res);

	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++) {
			const char *v = PQgetvalue(res, r, c);

			if (c > 0)
				fputs(sep, stdout);
			if (PQgetisnull(res, r, c))
				continue;
			if (truths && PQftype(res, c) == BOOLOID)
				v = v[0] == 't' ? "1" : "0";
			fputs(v, stdout);
		}
		putchar('\n');
	}
}

int
main(int argc, char **argv)
{
	const char *sep = "|";
	int c, truths = 0, rc = 0;
	PGconn *conn;
	PGresult *res;

	while ((c = getopt(argc, argv, "bF:")) != -1) {
		switch (c) {
		case 'b':
			truths = 1;
			break;
		case 'F':
			sep = optarg;
			break;
		default:
			fputs("usage: pgq [-b] [-F SEP] URL SQL\n", stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs("usage: pgq [-b] [-F SEP] URL SQL\n", stderr);
		return 2;
	}
	conn = PQconnectdb(argv[optind]);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "pgq: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 2;
	}
	if (!PQsendQuery(conn, argv[optind + 1])) {
		fprintf(stderr, "pgq: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 1;
	}
	while ((res = PQgetResult(conn)) != NULL) {
		switch (PQresultStatus(res)) {
		case PGRES_TUPLES_OK:
			print_rows(res, sep, truths);
			break;
		case PGRES_COMMAND_OK:
		case PGRES_EMPTY_QUERY:
			break;
		default:
			fputs(PQresultErrorMessage(res), stderr);
			rc = 1;
		}
		PQclear(res);
	}
	PQfinish(conn);
	if (fflush(stdout) != 0) {
		perror("pgq: stdout");
		return 1;
	}
	return rc;
}
