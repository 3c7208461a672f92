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
#include <unistd.h>

static const char page[] = "<!DOCTYPE html>\n<html><body><h1>hello from a static server</h1></body></html>\n";

static void reply(int fd, const char *status, const char *body)
{
	char head[160];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, strlen(body));
	if (write(fd, head, (size_t)n) == n)
		(void)!write(fd, body, strlen(body));
}

/* The request line only: the server keeps no state between requests. */
static void serve(int fd)
{
	char req[1024];
	ssize_t n = read(fd, req, sizeof(req) - 1);
	if (n <= 0)
		return;
	req[n] = '\0';
	if (!strncmp(req, "GET / ", 6) || !strncmp(req, "GET /index.html ", 16))
		reply(fd, "200 OK", page);
	else if (!strncmp(req, "GET ", 4))
		reply(fd, "404 Not Found", "not found\n");
	else
		reply(fd, "400 Bad Request", "bad request\n");
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8080;
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "server: port must be 1-65535, not '%s'\n", argv[1]);
		return 2;
	}
	/* A client that goes away mid-reply must not end the server. */
	signal(SIGPIPE, SIG_IGN);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0) {
		fprintf(stderr, "server: cannot listen on port %d: %s\n", port, strerror(errno));
		return 1;
	}
	fprintf(stderr, "server: listening on port %d\n", port);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "server: accept: %s\n", strerror(errno));
			return 1;
		}
		serve(c);
		close(c);
	}
}
