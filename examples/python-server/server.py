"""The Python example of reduce: a small HTTP server on python3-minimal.

Debian's python3-minimal has no http.server (it is in libpython3.11-stdlib,
with most of the standard library), so this serves GET itself with the
socket module: the page at /, a 404 for anything else, one request at a
time. Its imports (socket and what socket imports, the encodings) are the
files no ELF closure sees, which the reduction has to find by booting.
"""
import socket
import sys

PAGE = b"<!DOCTYPE html>\n<html><body><h1>hello from python</h1></body></html>\n"


def reply(conn, status, body):
    head = ("HTTP/1.0 %s\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (status, len(body)))
    conn.sendall(head.encode("ascii") + body)


def serve(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", port))
    s.listen(16)
    while True:
        try:
            conn, _ = s.accept()
        except OSError:
            continue
        with conn:
            # A client that never sends must not hold the only worker.
            conn.settimeout(5)
            try:
                line = conn.recv(4096).split(b"\r\n", 1)[0].split()
                if len(line) < 2 or line[0] != b"GET":
                    reply(conn, "400 Bad Request", b"bad request\n")
                elif line[1] == b"/":
                    reply(conn, "200 OK", PAGE)
                else:
                    reply(conn, "404 Not Found", b"not found\n")
            except OSError:
                pass


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: server.py PORT")
    serve(int(sys.argv[1]))
