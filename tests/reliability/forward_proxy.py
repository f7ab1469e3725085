"""A small HTTP proxy on 127.0.0.1 for the proxy tests: CONNECT tunnels and absolute-form requests.

It does what a corporate proxy does for the modules' traffic and records what it was asked:
``CONNECT host:port`` for HTTPS (then pipes bytes both ways), or a request line with an absolute
URL for plain HTTP (piped on to that host unchanged: HTTP/1.1 servers accept absolute URLs).
With ``credentials`` set it answers 407 to a request without the matching Proxy-Authorization.
"""
import base64
import socket
import threading
from urllib.parse import urlsplit


def accepted(listener):
    """Every connection ``listener`` accepts (a socket each), until the listener is closed."""
    while True:
        try:
            yield listener.accept()[0]
        except OSError:
            return


class ForwardProxy:
    def __init__(self, credentials=None):
        self.credentials = credentials
        self.seen = []  # (first request line, Proxy-Authorization header or None)
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self._listener.close()

    def _accept(self):
        for client in accepted(self._listener):
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                client.close()
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        auth = next((line.split(":", 1)[1].strip() for line in lines[1:]
                     if line.lower().startswith("proxy-authorization:")), None)
        self.seen.append((lines[0], auth))
        if self.credentials is not None and auth != "Basic " + base64.b64encode(
                self.credentials.encode()).decode():
            client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                           b"Proxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        method, target = lines[0].split(" ")[:2]
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            parts = urlsplit(target)
            upstream = socket.create_connection((parts.hostname, parts.port or 80))
            upstream.sendall(head)
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        _pipe(client, upstream)


def _pipe(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
