"""The EOS quota-service simulator: a Flask app served by gunicorn on 127.0.0.1.

It answers ``/v3/domain_quotas/{domain_id}`` and ``/v3/domain_usage`` in the shapes of the EOS API
reference and reverse-proxies every other path to the real Keystone, so one URL behaves like an
EOS identity endpoint. ``/_bed/...`` is the test bed's control API (reset, fault injection,
direct state changes), guarded by a control token that only the bed's owner knows.

Configuration comes from the environment (``bed.py`` sets it):
``EOS_SIM_KEYSTONE_URL``, ``EOS_SIM_DB``, ``EOS_SIM_FIXTURE``, ``EOS_SIM_REQUEST_LOG``,
``EOS_SIM_CONTROL_TOKEN``.
"""
import hmac
import json
import math
import os
import socket
import threading
import time
import uuid
from http import HTTPStatus

import requests
from flask import Flask, Response, jsonify, request

from .keystone import PAGE, Keystone, KeystoneError
from .store import Store

ADMIN_ROLE = "admin"
# Settings of the control API (PUT /_bed/settings): name -> (check of a value, what it is).
SETTINGS = {
    "domain_page": (lambda value: not isinstance(value, bool) and isinstance(value, int)
                    and 1 <= value <= 1000,
                    "domains per page when the simulator lists Keystone's domains (1 to 1000; "
                    "default %d)" % PAGE),
}
PLATFORM_DOMAIN_ID = "default"
# Hop-by-hop headers (RFC 9110 7.6.1) and those requests/werkzeug recompute themselves.
NOT_FORWARDED = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "content-length", "content-encoding",
}


def error_response(code, message):
    """The API's error format: ``{"error": {"message", "code", "title"}}``."""
    body = {"error": {"message": message, "code": code, "title": HTTPStatus(code).phrase}}
    return Response(json.dumps(body), status=code, mimetype="application/json")


class ApiError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class FrontDoor:
    """WSGI middleware in front of everything: request ids, the request log, injected faults.

    It wraps the proxied Keystone paths too, so a test can make authentication itself fail.
    """

    def __init__(self, app, store, log_path):
        self.app = app
        self.store = store
        self.log_path = log_path
        self._log_lock = threading.Lock()

    def __call__(self, environ, start_response):
        started = time.monotonic()
        request_id = "req-" + str(uuid.uuid4())
        environ["eos.request_id"] = request_id
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        record = {"method": method, "path": path + ("?" + query if query else ""),
                  "request_id": request_id}
        if path.startswith("/_bed/"):
            # The bed's own control calls are neither faulted nor counted as API traffic.
            return self.app(environ, start_response)
        fault = self.store.take_fault(method, path)
        if fault:
            record["fault"] = fault
        status_seen = []

        def start(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers
                       if k.lower() not in ("x-openstack-request-id", "requestid")]
            headers += [("X-Openstack-Request-Id", request_id), ("RequestId", request_id)]
            status_seen.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            if fault:
                faulted = self._fault(fault, environ, start)
                if faulted is not None:
                    return faulted
            return self.app(environ, start)
        finally:
            record["status"] = int(status_seen[0]) if status_seen else 0
            record["ms"] = round((time.monotonic() - started) * 1000, 1)
            if environ.get("eos.error"):
                record["error"] = environ["eos.error"]
            record.update(environ.get("eos.log") or {})
            self._log(record)

    def _fault(self, fault, environ, start):
        """Act out one injected fault; None means 'go on and answer normally'."""
        time.sleep(float(fault.get("delay", 0)))
        if fault.get("ignore_write"):
            # A server that answers a PATCH with 200 but does not apply it.
            environ["eos.ignore_write"] = True
            return None
        if fault.get("drop"):
            # Close the client's connection without any response.
            sock = environ.get("gunicorn.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            start("500 Internal Server Error", [("Content-Length", "0")])
            return [b""]
        if fault.get("malformed"):
            body = b'{"domain": {"RegionOne": {"quotas": {"cores": 1'
            start("200 OK", [("Content-Type", "application/json"),
                             ("Content-Length", str(len(body)))])
            return [body]
        if fault.get("html"):
            status = int(fault.get("status", 502))
            body = ("<html><head><title>%d %s</title></head><body><center><h1>%d %s</h1>"
                    "</center><hr><center>nginx</center></body></html>"
                    % (status, HTTPStatus(status).phrase, status, HTTPStatus(status).phrase)
                    ).encode()
            start("%d %s" % (status, HTTPStatus(status).phrase),
                  [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
            return [body]
        if "status" in fault:
            status = int(fault["status"])
            response = error_response(status, fault.get("message", "Injected fault"))
            if "retry_after" in fault:
                response.headers["Retry-After"] = str(fault["retry_after"])
            return response(environ, start)
        return None

    def _log(self, record):
        if not self.log_path:
            return
        record["ts"] = round(time.time(), 3)
        line = json.dumps(record, sort_keys=True) + "\n"
        with self._log_lock, open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write(line)


def number_error(item, value, limit):
    """Why ``value`` cannot be the quota of ``item`` (None when it can)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "quota item '%s': %r is not a number" % (item, value)
    if math.isnan(value) or math.isinf(value):
        return "quota item '%s': %r is not a finite number" % (item, value)
    if value < -1:
        return "quota item '%s': %r is below -1 (-1 means unlimited)" % (item, value)
    if limit is not None and limit != -1 and (value == -1 or value > limit):
        return "quota item '%s': %r is above its limit %r" % (item, value, limit)
    return None


def create_app(environ=None):
    env = os.environ if environ is None else environ
    store = Store(env["EOS_SIM_DB"], env["EOS_SIM_FIXTURE"])
    keystone = Keystone(env["EOS_SIM_KEYSTONE_URL"])
    # "<plain URL> <TLS URL>": the HTTPS instance hands out a catalog that names itself.
    catalog_rewrite = tuple(
        json.dumps(url)[1:-1].encode() for url in env.get("EOS_SIM_CATALOG_REWRITE", "").split())
    control_token = env.get("EOS_SIM_CONTROL_TOKEN", "")

    app = Flask("eos_quota_simulator")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024

    @app.errorhandler(ApiError)
    def _api_error(exc):
        if exc.code >= 500:
            request.environ["eos.error"] = exc.message  # the request log says why
        return error_response(exc.code, exc.message)

    @app.errorhandler(KeystoneError)
    def _keystone_error(exc):
        request.environ["eos.error"] = str(exc)
        return error_response(503, str(exc))

    @app.errorhandler(500)
    def _internal_error(exc):
        # A bug or a locked database in the simulator: say so in the log, answer like EOS would.
        original = getattr(exc, "original_exception", None) or exc
        request.environ["eos.error"] = "%s: %s" % (original.__class__.__name__, original)
        return error_response(500, "Internal error in the EOS simulator")

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _http_error(exc):
        return error_response(exc.code, exc.description)

    def authorize():
        """The caller's token, once Keystone accepted it and it carries the admin role."""
        token = request.headers.get("X-Auth-Token")
        if not token:
            raise ApiError(401, "The request you have made requires authentication.")
        body = keystone.validate(token)
        if body is None:
            raise ApiError(401, "The request you have made requires authentication.")
        roles = {role["name"] for role in body.get("roles", [])}
        if ADMIN_ROLE not in roles:
            raise ApiError(403, "You are not authorized to perform the requested action: "
                                "domain quotas need the '%s' role." % ADMIN_ROLE)
        return token

    def known_domain(token, domain_id):
        domain = keystone.domain(token, domain_id)
        if domain is None:
            raise ApiError(404, "Could not find domain: %s." % domain_id)
        store.ensure_domains([(domain["id"], domain["name"])])
        return domain

    # -- the EOS quota API ----------------------------------------------------------------------

    @app.get("/v3/domain_quotas/<domain_id>")
    def get_domain_quotas(domain_id):
        domain = known_domain(authorize(), domain_id)
        return jsonify({"domain": store.domain_view(domain["id"])})

    @app.patch("/v3/domain_quotas/<domain_id>")
    def patch_domain_quotas(domain_id):
        domain = known_domain(authorize(), domain_id)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("domain"), dict):
            raise ApiError(400, 'The request body must be {"domain": {"region": ..., item: value}}.')
        quotas = dict(body["domain"])
        region = quotas.pop("region", None)
        if not region or not isinstance(region, str):
            raise ApiError(400, "'region' is required in the request body.")
        regions = store.regions()
        if region not in regions:
            raise ApiError(400, "Region '%s' does not exist; regions: %s."
                           % (region, ", ".join(sorted(regions))))

        def validate(items, limits):
            errors = []
            for item, value in sorted(quotas.items()):
                if item not in items:
                    errors.append("unknown quota item '%s' in region %s" % (item, region))
                else:
                    error = number_error(item, value, limits.get(item))
                    if error:
                        errors.append(error)
            return errors

        if request.environ.get("eos.ignore_write"):
            quotas = {}
        errors = store.patch_quotas(domain["id"], region, quotas, validate)
        if errors:
            raise ApiError(400, "Invalid quota: " + "; ".join(errors) + ".")
        return jsonify({"domain": store.domain_view(domain["id"])})

    @app.get("/v3/domain_usage")
    def get_domain_usage():
        token = authorize()
        pages = []
        domains = keystone.domains(token, page=store.setting("domain_page"), on_page=pages.append)
        # The request log says how the domains were fetched, so a test can check the paging.
        request.environ["eos.log"] = {"keystone_pages": len(pages),
                                      "keystone_domains": len(domains)}
        store.ensure_domains([(d["id"], d["name"]) for d in domains])
        ids = [d["id"] for d in domains]
        return jsonify({"domain": store.platform_view(ids, PLATFORM_DOMAIN_ID)})

    @app.route("/v3/domain_quotas/<domain_id>", methods=["PUT", "POST", "DELETE"])
    @app.route("/v3/domain_usage", methods=["PUT", "POST", "PATCH", "DELETE"])
    def quota_method_not_allowed(domain_id=None):  # pylint: disable=unused-argument
        raise ApiError(405, "Method %s is not allowed here." % request.method)

    # -- the test bed's control API -------------------------------------------------------------

    def control():
        given = request.headers.get("X-Bed-Control", "")
        if not control_token or not hmac.compare_digest(given, control_token):
            raise ApiError(403, "The bed's control API needs the X-Bed-Control header.")

    @app.get("/_bed/health")
    def health():
        return jsonify({"status": "ok"})

    @app.post("/_bed/reset")
    def reset():
        control()
        store.reset()
        return jsonify({"status": "reset"})

    @app.get("/_bed/faults")
    def list_faults():
        control()
        return jsonify({"faults": store.faults()})

    @app.post("/_bed/faults")
    def add_fault():
        """Body: ``{"path": regex, "method": "GET"|null, "count": N, "status": 503,
        "retry_after": 2, "delay": 1.5, "drop": true, "malformed": true, "html": true,
        "ignore_write": true}``."""
        control()
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("path"), str):
            raise ApiError(400, "'path' (a regular expression) is required.")
        action = {k: body[k] for k in ("status", "retry_after", "delay", "drop", "malformed",
                                       "html", "message", "ignore_write") if k in body}
        try:
            fault_id = store.add_fault(body["path"], body.get("count", 1), action,
                                       body.get("method"))
        except Exception as exc:  # pylint: disable=broad-except
            raise ApiError(400, "Bad fault rule: %s" % exc) from exc
        return jsonify({"id": fault_id}), 201

    @app.delete("/_bed/faults")
    def clear_faults():
        control()
        store.clear_faults()
        return Response(status=204)

    @app.get("/_bed/settings")
    def get_settings():
        control()
        return jsonify({name: store.setting(name) for name in SETTINGS})

    @app.put("/_bed/settings")
    def put_settings():
        """Body: ``{"domain_page": 2}``; null restores the default. ``/_bed/reset`` drops all."""
        control()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a JSON object of settings.")
        for name, value in body.items():
            if name not in SETTINGS:
                raise ApiError(400, "Unknown setting %r; settings: %s" % (name, ", ".join(SETTINGS)))
            if value is not None and not SETTINGS[name][0](value):
                raise ApiError(400, "Setting %s: %r is not valid; it is %s"
                               % (name, value, SETTINGS[name][1]))
        for name, value in body.items():
            store.set_setting(name, value)
        return get_settings()

    @app.put("/_bed/regions/<name>")
    def put_region(name):
        """Body: ``{"volume_types": [...], "containers": bool}`` (either may be left out)."""
        control()
        body = request.get_json(silent=True) or {}
        store.set_region(name, body.get("volume_types"), body.get("containers"))
        return jsonify({"regions": store.regions()})

    @app.patch("/_bed/domains/<domain_id>/<region>")
    def set_domain_values(domain_id, region):
        """Body: ``{"allocated": {...}, "used": {...}, "limits": {...}, "quotas": {...}}``."""
        control()
        token = request.headers.get("X-Auth-Token", "")
        known_domain(token, domain_id)
        for column, values in (request.get_json(silent=True) or {}).items():
            if column not in ("allocated", "used", "limits", "quotas"):
                raise ApiError(400, "Unknown column %s" % column)
            store.set_domain_values(domain_id, region, column, values)
        return jsonify({"domain": store.domain_view(domain_id)})

    # -- everything else goes to Keystone -------------------------------------------------------

    @app.route("/", defaults={"path": ""},
               methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    @app.route("/<path:path>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    def to_keystone(path):
        headers = {k: v for k, v in request.headers.items() if k.lower() not in NOT_FORWARDED}
        # Keystone builds its links from Host and the forwarded scheme: they then name this URL.
        headers["X-Forwarded-Proto"] = request.scheme
        url = keystone.url + "/" + path
        if request.query_string:
            url += "?" + request.query_string.decode("latin-1")
        try:
            upstream = keystone.session.request(
                request.method, url, headers=headers, data=request.get_data(), timeout=60,
                allow_redirects=False)
        except requests.RequestException as exc:
            raise ApiError(502, "Keystone is unreachable from the EOS endpoint: %s" % exc) from exc
        content = upstream.content
        if catalog_rewrite and path == "v3/auth/tokens" and request.method in ("POST", "GET"):
            content = content.replace(*catalog_rewrite)
        response = Response(content, status=upstream.status_code)
        for key, value in upstream.headers.items():
            if key.lower() not in NOT_FORWARDED:
                response.headers[key] = value
        return response

    app.wsgi_app = FrontDoor(app.wsgi_app, store, env.get("EOS_SIM_REQUEST_LOG"))
    return app
