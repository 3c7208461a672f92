/* A small static HTTP server: the example of an app that is one binary
 * in a build folder, packed as a container image and reduced to a
 * microVM (tests/harness/t0018-examples.sh, bench/examples.sh).
 *
 *   server [PORT]    serves GET / on PORT (default 8080) until killed
 *
 * It answers every request with HTTP/1.0 and closes the connection:
 * "/" gets the page, anything else 404. Built with musl-gcc -static, it
 * needs no file of the image but itself. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const char page[] = "<!DOCTYPE html>\n<html><body><h1>hello from a static server</h1></body></html>\n";

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void reply(int fd, const char *status, const char *body)
{
	char head[160];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, strlen(body));
	if (write_all(fd, head, (size_t)n) == 0)
		write_all(fd, body, strlen(body));
}

/* The request line only: the server keeps no state between requests. A
 * client gets a few seconds to send it, so that one idle connection
 * cannot hold the (single-threaded) server. */
static void serve(int fd)
{
	struct timeval t = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof(t));
	char req[1024];
	size_t len = 0;
	while (len < sizeof(req) - 1) {
		ssize_t n = read(fd, req + len, sizeof(req) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n") || strchr(req, '\n'))
			break;
	}
	if (!len)
		return;
	req[len] = '\0';
	if (!strncmp(req, "GET / ", 6) || !strncmp(req, "GET /index.html ", 16))
		reply(fd, "200 OK", page);
	else if (!strncmp(req, "GET ", 4))
		reply(fd, "404 Not Found", "not found\n");
	else
		reply(fd, "400 Bad Request", "bad request\n");
	/* What the client sent beyond the request line, left unread, would
	 * make close() reset the connection before the reply is read. */
	shutdown(fd, SHUT_WR);
	char drain[512];
	while (read(fd, drain, sizeof(drain)) > 0)
		;
}

int main(int argc, char **argv)
{
	long port = 8080;
	if (argc > 1) {
		char *end;
		errno = 0;
		port = strtol(argv[1], &end, 10);
		if (errno || end == argv[1] || *end || port <= 0 || port > 65535) {
			fprintf(stderr, "server: port must be 1-65535, not '%s'\n", argv[1]);
			return 2;
		}
	}
	/* A client that goes away mid-reply must not end the server. */
	signal(SIGPIPE, SIG_IGN);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		fprintf(stderr, "server: socket: %s\n", strerror(errno));
		return 1;
	}
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0) {
		fprintf(stderr, "server: cannot listen on port %ld: %s\n", port, strerror(errno));
		return 1;
	}
	fprintf(stderr, "server: listening on port %ld\n", port);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0) {
			/* accept(2): these are the connection's trouble, not ours. */
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == ENETDOWN ||
			    errno == ENOPROTOOPT || errno == EHOSTDOWN || errno == ENONET ||
			    errno == EHOSTUNREACH || errno == EOPNOTSUPP || errno == ENETUNREACH ||
			    errno == EAGAIN || errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				continue;
			fprintf(stderr, "server: accept: %s\n", strerror(errno));
			return 1;
		}
		serve(c);
		close(c);
	}
}
