/*
 * serve-min: the limit uoms-serve is measured against in make bench
 * (t/bench/serve.sh): the least a libmicrohttpd program can do to answer
 * GET /orders/{id} from the same store with the same record. The same
 * daemon flags as uoms-serve (thread pool, epoll), a store per thread
 * and in it the record's statements prepared once (uoms_order_record:
 * one SELECT of the order and its items, and its open holds), and
 * nothing else: no token, no routes table, no ETag, no log. Reading the
 * record through uoms_query_open instead built and prepared its SQL on
 * every request: four fifths of the time went to SQLite's parser and
 * malloc, and the limit measured was the parser's.
 *   serve-min DB PORT THREADS
 */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "store.h"

static const char *db;
static pthread_key_t key;

static void
close_store(void *s)
{
	uoms_store_close(s);
}

static struct uoms_store *
store(void)
{
	static const struct uoms_config none;
	struct uoms_store *s = pthread_getspecific(key);
	char why[256];

	if (s == NULL && (s = uoms_store_open(db, UOMS_STORE_READ, &none, why,
	    sizeof why)) != NULL)
		pthread_setspecific(key, s);
	return s;
}

static enum MHD_Result
reply(struct MHD_Connection *c, int status, struct uoms_buf *b)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(b->n, b->p,
	    MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	MHD_add_response_header(r, "Content-Type", "application/json");
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	static int first;
	struct uoms_error e = { 0 };
	struct uoms_buf b = { 0 };
	struct uoms_store *s;
	enum MHD_Result ok;
	long long id = 0;
	int found = 0;

	(void)cls;
	(void)method;
	(void)version;
	(void)upload;
	(void)upload_size;
	/* Answered on the second call, as libmicrohttpd 0.9.75 wants. */
	if (*con_cls == NULL) {
		*con_cls = &first;
		return MHD_YES;
	}
	if (strncmp(url, "/orders/", 8) == 0)
		id = atoll(url + 8);
	if (id > 0 && (s = store()) != NULL)
		found = uoms_order_record(s, id, &b, &e) == UOMS_OK;
	if (!found) {
		uoms_buf_clear(&b);
		uoms_buf_str(&b, "{\"error\":{\"code\":\"not_found\"}}");
	}
	ok = reply(c, found ? 200 : 404, &b);
	uoms_buf_free(&b);
	return ok;
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	sigset_t stop;
	int sig;

	if (argc != 4) {
		fputs("usage: serve-min DB PORT THREADS\n", stderr);
		return 2;
	}
	db = argv[1];
	pthread_key_create(&key, close_store);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL,
	    (unsigned short)atoi(argv[2]), NULL, NULL, on_request, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[3]),
	    MHD_OPTION_CONNECTION_LIMIT, 1024U, MHD_OPTION_END);
	if (d == NULL) {
		fputs("serve-min: can't listen\n", stderr);
		return 3;
	}
	fprintf(stderr, "serve-min: listening on port %s\n", argv[2]);
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	return 0;
}
