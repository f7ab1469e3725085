"""A hostile (or merely broken) Keystone v3 + EOS quota API, for the reliability tests.

It impersonates just enough of the real services for the three modules to run against it: a
password login with a catalog, domain and user lookups, a user's password PATCH (later password
logins of that user succeed only with the new password), and the quota API in the simulator's
shapes, for one domain ``acme`` holding one user ``bob`` (``add_domain`` adds more domains, listed
and paged as Keystone does; the Default domain's ``admin`` user exists too). Tokens are not validated beyond being
present: the point is what a client does with a server's answers, not Keystone's rules.

A *mode*, switchable at run time (``set_mode``), makes the server misbehave on the requests it is
about and only on those; everything else is answered normally::

    normal               the well-behaved server
    big_body             GET domain_quotas: a 200 MB JSON-looking body, generated as it is sent
                         (size=)
    gzip_bomb            GET domain_quotas: gzip that inflates to 1.5 GiB of spaces
    multi_member_gzip    GET domain_quotas: the JSON split across two concatenated gzip members
    slow_drip            GET domain_quotas: the body one byte per second (head=True: the status
                         line and headers too); stops when the client goes away or after
                         max_seconds (interval=, max_seconds=)
    redirect             every request: 307 to location= (default: a second listener, ``sink``,
                         with credentials in the URL, which records whatever reaches it)
    catalog_url          the token's catalog names url= as the identity endpoint
                         (alias: catalog_scheme)
    user_id              user lookups answer bob with the ID user_id=
    error_text           GET domain_quotas and domain_usage: 400 whose error.message is ~100 KB
                         of terminal escapes, CR, LF and a fake ``ok: [localhost]`` line (size=)
    drop_after_patch     PATCH users/<id>: the password is set, the connection closed unanswered
    empty_patch_answer   PATCH domain_quotas: applied, answered 200 with an empty body
    quota_value          GET domain_quotas: the raw JSON text value= for <where>.<item>
                         (where="quotas"|"usage"|"limits", item="cores")
    deep_json            GET domain_quotas: ``[`` repeated depth= times (100000)
    retry_after          the first count= GET domain_quotas: 503 with ``Retry-After: value=``
    raw                  every request: handler=(request, socket) answers it itself when it
                         returns true; otherwise the server answers normally
    users_ignore_domain  user lookups filter by name only: ``admin`` in any domain is the
                         Default domain's admin
    other_by_id          GET domains/<id> and users/<id> answer another domain (other=, a
                         domain dict) or the Default domain's admin
    listing              GET /v3/domains pages at page= (default 2) and breaks as how= says:
                         ignore_marker (every page is the first), overlap (each page starts
                         with the last of the one before), cycle (the third page is the first
                         again), oversized (count= domains in one page), name_type (the
                         second domain's name is name=, a JSON value)
    revoke_after_patch   the first quota PATCH is applied, then every token and every admin
                         login is refused (401)
    names                region= is the region's name and item= an extra item (quota 50,
                         allocated 20, no limit) in every quota answer and PATCH
    mfa                  a user's own login with the right password answers 401 with an
                         Openstack-Auth-Receipt (Keystone's multi-factor rules), no token

Every request is recorded in ``seen`` before it is answered: a dict with ``method``, ``target``
(the request-target exactly as received), ``path`` (dot segments resolved, as a server routes
it), ``route`` (tokens, domains, domain, users, user, domain_quotas, domain_usage, or None for
anything else), ``key`` (the decoded ID of a domain/user/domain_quotas route), ``headers``
(lower-cased names) and ``body`` (bytes). The ``/v3`` prefix is optional when routing, as behind
some gateways, so a request that climbs out of ``/v3`` still lands on (and is recorded as) what
it reached.
"""
import gzip
import json
import select
import socket
import socketserver
import ssl
import threading
import time
import uuid
import zlib
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from forward_proxy import accepted

REGION = "RegionOne"
MIB = 1024 * 1024
BOMB_INFLATED = 1536 * MIB
FAKE_LINE = "ok: [localhost]"
_BOMB = []
_BOMB_LOCK = threading.Lock()

ROUTES = {("auth", "tokens"): "tokens", ("domains",): "domains", ("users",): "users",
          ("domain_usage",): "domain_usage"}
KEYED_ROUTES = {"domains": "domain", "users": "user", "domain_quotas": "domain_quotas"}


def gzip_bomb():
    """~1.5 MB of gzip that inflates to 1.5 GiB; compressed once per process (about 3 s)."""
    with _BOMB_LOCK:
        if not _BOMB:
            packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            spaces = b" " * MIB
            parts = [packer.compress(spaces) for dummy in range(BOMB_INFLATED // MIB)]
            _BOMB.append(b"".join(parts) + packer.flush())
    return _BOMB[0]


def route_of(path):
    """``(route, key, resolved path)`` of a raw path: dot segments resolved, ``/v3`` optional."""
    stack = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if stack:
                stack.pop()
        elif segment != ".":
            stack.append(segment)
    resolved = "/" + "/".join(stack)
    if stack[:1] == ["v3"]:
        stack = stack[1:]
    if tuple(stack) in ROUTES:
        return ROUTES[tuple(stack)], None, resolved
    if len(stack) == 2 and stack[0] in KEYED_ROUTES and stack[1]:
        return KEYED_ROUTES[stack[0]], unquote(stack[1]), resolved
    return None, None, resolved


def error_body(status, message):
    """The API's error format: ``{"error": {"message", "code", "title"}}``."""
    return {"error": {"message": message, "code": status, "title": HTTPStatus(status).phrase}}


def hostile_message(size):
    """An error text a careless client would paste into a terminal: escapes, CR, LF, a fake
    Ansible result line, and enough filler to reach ``size`` characters."""
    head = ("Invalid quota\x1b[2K\r\x1b[32mall good\x1b[0m\r\n\n%s\n"
            "\x1b]0;pwned\x07\x1b[1A\x1b[2K" % FAKE_LINE)
    filler = "A\x1b[31mB\x1b[0m\r\n"
    return head + filler * ((size - len(head)) // len(filler) + 1)


class Sink:
    """A second listener (a redirect's target): records every connection and what it sent."""

    def __init__(self, host="127.0.0.1"):
        self.received = []  # bytes of each connection
        self._listener = socket.create_server((host, 0), family=_family(host))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        for client in accepted(self._listener):
            with client:
                client.settimeout(2)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = client.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                                   b"Connection: close\r\n\r\n{}")
                except OSError:
                    pass
                self.received.append(data)

    def close(self):
        self._listener.close()


def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class HostileServer:
    """``HostileServer(host="127.0.0.1"|"::1", certfile=None, keyfile=None).start()``; ``url``,
    ``seen``, ``tokens`` (every token issued), ``set_mode(mode, **params)``, ``close()``."""

    def __init__(self, host="127.0.0.1", certfile=None, keyfile=None):
        self.seen = []
        self.tokens = []
        self.mode, self.params = "normal", {}
        self.sink = None
        self.domain = {"id": uuid.uuid4().hex, "name": "acme", "enabled": True,
                       "description": "", "tags": [], "options": {}}
        self.user = {"id": uuid.uuid4().hex, "name": "bob", "domain_id": self.domain["id"],
                     "enabled": True, "password_expires_at": None, "options": {}}
        self.password = "Bob-" + uuid.uuid4().hex
        self.quotas = {"instances": 60, "cores": 72, "ram": 31146.0, "backup_gigabytes": 156.5,
                       "network": 1000, "floatingip": 65535, "volumes_hdd": 156,
                       "gigabytes_hdd": 156.5, "loadbalancer": 300}
        self.usage = {"instances": 10, "cores": 20, "ram": 10240, "backup_gigabytes": 100,
                      "network": 500, "floatingip": 5, "volumes_hdd": 10, "gigabytes_hdd": 100,
                      "loadbalancer": 5}
        self.limits = dict(dict.fromkeys(self.quotas, -1), cores=1000, floatingip=65535)
        # Every domain in listing order (acme first); quotas of the others by ID (acme's are
        # ``quotas``). ``add_domain`` adds more.
        self.domains = [self.domain]
        self.other_quotas = {}
        # The Default domain's admin: what a user lookup that ignores domain_id finds first.
        self.admin_user = {"id": uuid.uuid4().hex, "name": "admin", "domain_id": "default",
                           "enabled": True, "password_expires_at": None, "options": {}}
        self.receipts = []  # every MFA receipt issued (secrets, like tokens)
        self.revoked = False
        self._lock = threading.Lock()
        self._patch_lock = threading.Lock()
        self._tls = None
        if certfile:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(str(certfile), str(keyfile) if keyfile else None)
        self._httpd = _HTTPServer((host, 0), self)
        self.port = self._httpd.server_address[1]
        self.url = "%s://%s:%d" % ("https" if certfile else "http",
                                   "[%s]" % host if ":" in host else host, self.port)
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.1,),
                                        daemon=True)
        self._thread.start()
        return self

    def close(self):
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread = None
        self._httpd.server_close()
        if self.sink is not None:
            self.sink.close()

    def set_mode(self, mode, **params):
        if mode == "names":  # the extra item exists from now on, in every view and PATCH
            self.quotas[params["item"]], self.usage[params["item"]] = 50, 20
            self.limits[params["item"]] = -1
        if mode == "redirect" and "location" not in params:
            if self.sink is None:
                self.sink = Sink()
            params["location"] = "http://thief:Sink-Pw-1@127.0.0.1:%d/steal" % self.sink.port
        self.mode, self.params = mode, params
        return self

    def add_domain(self, name, domain_id=None):
        """Another domain (quotas as acme's were at the start); listed after the earlier ones."""
        domain = {"id": domain_id or uuid.uuid4().hex, "name": name, "enabled": True,
                  "description": "", "tags": [], "options": {}}
        self.domains.append(domain)
        self.other_quotas[domain["id"]] = {"instances": 60, "cores": 72, "ram": 31146.0}
        return domain

    def domain_by_id(self, domain_id):
        return next((domain for domain in self.domains if domain["id"] == domain_id), None)

    def _broken_listing(self, listed, query):
        how, size = self.params["how"], self.params.get("page", 2)
        if how == "oversized":
            count = self.params.get("count", 5000)
            extra = [dict(self.domain, id="%032x" % number, name="bulk-%d" % number)
                     for number in range(count)]
            return {"domains": listed + extra, "links": {"next": None}}
        if how == "name_type":
            listed = [dict(domain, name=self.params["name"]) if index == 1 else domain
                      for index, domain in enumerate(listed)]
        ids = [domain["id"] for domain in listed]
        marker = (query.get("marker") or [None])[0]
        start = ids.index(marker) + 1 if marker in ids else 0
        if how == "ignore_marker":
            start = 0
        elif how == "overlap" and start:
            start -= 1
        elif how == "cycle" and start >= 2 * size:
            start = 0
        page = listed[start:start + size]
        more = how in ("ignore_marker", "cycle") or start + size < len(listed)
        return {"domains": page, "links": {"next": self.url + "/v3/domains?more" if more
                                           else None}}

    def requests(self, method=None, route=None):
        """The recorded requests, optionally of one method and/or route."""
        return [r for r in self.seen if (method is None or r["method"] == method)
                and (route is None or r["route"] == route)]

    # -- state ----------------------------------------------------------------------------------

    def user_view(self):
        user = dict(self.user)
        if self.mode == "user_id":
            user["id"] = self.params["user_id"]
        return user

    @property
    def region(self):
        return self.params["region"] if self.mode == "names" else REGION

    def domain_view(self, domain_id=None):
        if domain_id is not None and domain_id != self.domain["id"]:
            quotas = self.other_quotas[domain_id]
            return {"domain": {self.region: {"quotas": dict(quotas),
                                             "usage": dict.fromkeys(quotas, 0),
                                             "limits": dict.fromkeys(quotas, -1)}}}
        return {"domain": {self.region: {"quotas": dict(self.quotas), "usage": dict(self.usage),
                                         "limits": dict(self.limits)}}}

    def domain_listing(self, query):
        """``GET /v3/domains`` as Keystone pages it: ``name`` filter, ``limit``, ``marker``,
        ``links.next`` while there are more."""
        names = query.get("name")
        listed = [domain for domain in self.domains if not names or domain["name"] == names[0]]
        if self.mode == "listing":
            return self._broken_listing(listed, query)
        if query.get("marker"):
            ids = [domain["id"] for domain in listed]
            marker = query["marker"][0]
            listed = listed[ids.index(marker) + 1:] if marker in ids else []
        limit = int(query["limit"][0]) if query.get("limit") else len(listed)
        page, more = listed[:limit], len(listed) > limit
        return {"domains": page, "links": {"self": self.url + "/v3/domains", "previous": None,
                                           "next": self.url + "/v3/domains?marker=" + page[-1]["id"]
                                           if more else None}}

    def catalog(self):
        url = self.url + "/v3"
        if self.mode in ("catalog_url", "catalog_scheme"):
            url = self.params["url"]
        return [{"type": "identity", "name": "keystone", "id": uuid.uuid4().hex, "endpoints": [
            {"id": uuid.uuid4().hex, "interface": "public", "region": REGION,
             "region_id": REGION, "url": url}]}]

    def issue_token(self, scoped):
        value = "hostile-token-" + uuid.uuid4().hex
        self.tokens.append(value)
        token = {"methods": ["password"], "expires_at": "2099-01-01T00:00:00.000000Z",
                 "issued_at": "2025-01-01T00:00:00.000000Z",
                 "user": {"id": uuid.uuid4().hex, "name": "admin",
                          "domain": {"id": "default", "name": "Default"}}}
        if scoped:
            token.update(project={"id": uuid.uuid4().hex, "name": "admin",
                                  "domain": {"id": "default", "name": "Default"}},
                         roles=[{"id": uuid.uuid4().hex, "name": "admin"}],
                         catalog=self.catalog())
        return value, {"token": token}

    def api(self, request):
        """The well-behaved answer: ``(status, JSON-able body, extra headers)``."""
        method, route, key = request["method"], request["route"], request["key"]
        query = parse_qs(request["query"])
        if route == "tokens" and method == "POST":
            return self._login(request)
        if not request["headers"].get("x-auth-token") or self.revoked:
            return 401, error_body(401, "The request you have made requires authentication."), {}
        domain, user = self.domain, self.user_view()
        if route == "domains" and method == "GET":
            return 200, self.domain_listing(query), {}
        if route == "domain" and method == "GET":
            if self.mode == "other_by_id":
                return 200, {"domain": self.params["other"]}, {}
            if self.domain_by_id(key) is not None:
                return 200, {"domain": self.domain_by_id(key)}, {}
            return 404, error_body(404, "Could not find domain: %s." % key), {}
        if route == "users" and method == "GET":
            wanted = {name: values[0] for name, values in query.items()}
            fields = ("name",) if self.mode == "users_ignore_domain" else ("name", "domain_id")
            return 200, {"users": [candidate for candidate in (user, self.admin_user) if all(
                candidate.get(name) == value for name, value in wanted.items()
                if name in fields)]}, {}
        if route == "user" and self.mode == "other_by_id" and method == "GET":
            return 200, {"user": self.admin_user}, {}
        if route == "user" and key == self.admin_user["id"] and method == "PATCH":
            return 200, {"user": self.admin_user}, {}
        if route == "user" and key == user["id"] and method in ("GET", "PATCH"):
            if method == "PATCH":
                body = _json_or_none(request["body"])
                password = ((body or {}).get("user") or {}).get("password")
                if not isinstance(password, str):
                    return 400, error_body(400, "Expecting a user object with a password."), {}
                with self._lock:
                    self.password = password
            return 200, {"user": user}, {}
        if route == "user":
            return 404, error_body(404, "Could not find user: %s." % key), {}
        if route == "domain_quotas" and self.domain_by_id(key) is None:
            return 404, error_body(404, "Could not find domain: %s." % key), {}
        if route == "domain_quotas" and method == "GET":
            return 200, self.domain_view(key), {}
        if route == "domain_quotas" and method == "PATCH":
            with self._patch_lock:  # so that exactly one PATCH gets through before a revocation
                if self.revoked:
                    return 401, error_body(401, "The request you have made requires "
                                                "authentication."), {}
                answer = self._patch_quotas(request)
                self.revoked = self.mode == "revoke_after_patch"
                return answer
        if route == "domain_usage" and method == "GET":
            view = self.domain_view()["domain"][self.region]
            view["allocated"] = view["usage"]
            return 200, {"domain": {self.region: view}}, {}
        return 404, error_body(404, "The resource could not be found."), {}

    def _login(self, request):
        body = _json_or_none(request["body"]) or {}
        try:
            user = body["auth"]["identity"]["password"]["user"]
        except (KeyError, TypeError):
            return 400, error_body(400, "Expecting a password login."), {}
        refused = (401, error_body(401, "The request you have made requires authentication."), {})
        if "id" in user and "name" not in user:  # a user's own unscoped login
            if user["id"] != self.user_view()["id"] or user.get("password") != self.password:
                return refused
            if self.mode == "mfa":
                receipt = "hostile-receipt-" + uuid.uuid4().hex
                self.receipts.append(receipt)
                return 401, {"receipt": {"methods": ["password"], "user": {"id": user["id"]},
                                         "expires_at": "2099-01-01T00:05:00.000000Z"},
                             "required_auth_methods": [["password", "totp"]]}, \
                    {"Openstack-Auth-Receipt": receipt}
            value, token = self.issue_token(scoped=False)
        elif self.revoked:
            return refused
        else:
            value, token = self.issue_token(scoped=True)
        return 201, token, {"X-Subject-Token": value}

    def _patch_quotas(self, request):
        body = _json_or_none(request["body"])
        items = dict(body.get("domain") or {}) if isinstance(body, dict) else {}
        if items.pop("region", None) != self.region:
            return 400, error_body(400, "'region' is required in the request body."), {}
        quotas = self.quotas if request["key"] == self.domain["id"] else \
            self.other_quotas[request["key"]]
        bad = [item for item, value in items.items() if item not in quotas
               or isinstance(value, bool) or not isinstance(value, (int, float))]
        if bad:
            return 400, error_body(400, "Invalid quota: %s." % ", ".join(sorted(bad))), {}
        with self._lock:
            quotas.update(items)
        return 200, self.domain_view(request["key"]), {}


def _json_or_none(data):
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        return None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, owner):
        self.address_family = _family(address[0])
        self.owner = owner
        super().__init__(address, _Handler)

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's: no reverse DNS lookup
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        """A client that went away or refused the TLS handshake is what these tests do."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1"
    timeout = 60

    def setup(self):
        tls = self.server.owner._tls  # pylint: disable=protected-access
        if tls is not None:
            self.request.settimeout(10)
            self.request = tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: the tests read ``seen``."""

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except OSError:
            self.close_connection = True

    def _serve(self):
        owner = self.server.owner
        words = self.requestline.split()
        target = words[1] if len(words) > 1 else ""
        parts = urlsplit(target) if not target.startswith("/") else None
        path, dummy, query = (parts.path, "", parts.query) if parts else target.partition("?")
        route, key, resolved = route_of(path)
        request = {"method": self.command, "target": target, "path": resolved, "query": query,
                   "route": route, "key": key, "body": self._read_body(),
                   "headers": {name.lower(): value for name, value in self.headers.items()}}
        owner.seen.append(request)
        handler = getattr(self, "_mode_" + owner.mode, None)
        if handler is None or not handler(request):
            self._answer(*owner.api(request))

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    def _read_body(self):
        """Content-Length bodies only: what requests and http.client send for JSON."""
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    # -- writing --------------------------------------------------------------------------------

    def _head(self, status, headers):
        """The status line and headers as bytes (so that a mode can send them as it likes)."""
        lines = ["HTTP/1.1 %d %s" % (status, HTTPStatus(status).phrase),
                 "Server: hostile/1", "X-Openstack-Request-Id: req-%s" % uuid.uuid4()]
        lines += ["%s: %s" % item for item in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(self, status, body=b"", headers=None, close=False):
        headers = dict({"Content-Type": "application/json", "Content-Length": len(body)},
                       **(headers or {}))
        if close:
            headers["Connection"] = "close"
            self.close_connection = True
        try:
            self.wfile.write(self._head(status, headers) + body)
        except OSError:
            self.close_connection = True

    def _answer(self, status, payload, headers):
        self._send(status, json.dumps(payload).encode(), headers)

    def _drop(self):
        """Close the connection at once, without an answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _client_gone(self, wait):
        """Wait up to ``wait`` seconds; True when the client closed its side meanwhile."""
        if not select.select([self.connection], [], [], wait)[0]:
            return False
        self.connection.settimeout(0.2)
        try:
            return self.connection.recv(1) == b""
        except socket.timeout:
            return False
        except OSError:
            return True
        finally:
            self.connection.settimeout(self.timeout)

    # -- modes: each returns True when it answered the request ------------------------------

    @property
    def params(self):
        return self.server.owner.params

    @staticmethod
    def _is_quota_get(request):
        return request["method"] == "GET" and request["route"] == "domain_quotas"

    def _mode_big_body(self, request):
        if not self._is_quota_get(request):
            return False
        size = int(self.params.get("size", 200 * MIB))
        prefix, suffix, chunk = b'{"pad": "', b'"}', b"a" * 65536
        self._send(200, prefix, {"Content-Length": size}, close=True)
        left = size - len(prefix) - len(suffix)
        try:
            while left > 0:
                self.wfile.write(chunk[:left])
                left -= len(chunk)
            self.wfile.write(suffix)
        except OSError:
            pass
        return True

    def _mode_gzip_bomb(self, request):
        if not self._is_quota_get(request):
            return False
        self._send(200, gzip_bomb(), {"Content-Encoding": "gzip"}, close=True)
        return True

    def _mode_multi_member_gzip(self, request):
        if not self._is_quota_get(request):
            return False
        data = json.dumps(self.server.owner.domain_view()).encode()
        half = len(data) // 2
        self._send(200, gzip.compress(data[:half]) + gzip.compress(data[half:]),
                   {"Content-Encoding": "gzip"})
        return True

    def _mode_slow_drip(self, request):
        if not self._is_quota_get(request):
            return False
        body = json.dumps(self.server.owner.domain_view()).encode()
        head = self._head(200, {"Content-Type": "application/json", "Content-Length": len(body)})
        drip = head + body if self.params.get("head") else body
        interval = self.params.get("interval", 1.0)
        deadline = time.monotonic() + self.params.get("max_seconds", 60)
        try:
            if drip is body:
                self.wfile.write(head)
            for byte in drip:
                if time.monotonic() > deadline or self._client_gone(interval):
                    break
                self.wfile.write(bytes((byte,)))
        except OSError:
            pass
        self._drop()
        return True

    def _mode_redirect(self, request):
        self._send(307, b'{"error": {"message": "moved", "code": 307}}',
                   {"Location": self.params["location"]}, close=True)
        return True

    def _mode_error_text(self, request):
        if request["method"] != "GET" or request["route"] not in ("domain_quotas", "domain_usage"):
            return False
        self._answer(400, error_body(400, hostile_message(self.params.get("size", 100000))), {})
        return True

    def _mode_drop_after_patch(self, request):
        if request["method"] != "PATCH" or request["route"] != "user":
            return False
        self.server.owner.api(request)
        self._drop()
        return True

    def _mode_empty_patch_answer(self, request):
        if request["method"] != "PATCH" or request["route"] != "domain_quotas":
            return False
        status, payload, headers = self.server.owner.api(request)
        if status == 200:
            self._send(200, b"", headers)
        else:
            self._answer(status, payload, headers)
        return True

    def _mode_quota_value(self, request):
        if not self._is_quota_get(request):
            return False
        marker = "@@raw-%s@@" % uuid.uuid4().hex
        view = self.server.owner.domain_view()
        where, item = self.params.get("where", "quotas"), self.params.get("item", "cores")
        view["domain"][REGION][where][item] = marker
        self._send(200, json.dumps(view).replace('"%s"' % marker, self.params["value"]).encode())
        return True

    def _mode_deep_json(self, request):
        if not self._is_quota_get(request):
            return False
        self._send(200, b"[" * int(self.params.get("depth", 100000)))
        return True

    def _mode_retry_after(self, request):
        if not self._is_quota_get(request) or self.params.setdefault("count", 2) <= 0:
            return False
        self.params["count"] -= 1
        body = json.dumps(error_body(503, "Service Unavailable")).encode()
        self._send(503, body, {"Retry-After": self.params.get("value", "nan")})
        return True

    def _mode_raw(self, request):
        if self.params["handler"](request, self.connection):
            self.close_connection = True
            return True
        return False
