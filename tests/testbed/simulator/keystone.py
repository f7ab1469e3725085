"""What the simulator asks the real Keystone: is this token valid, does this domain exist.

No caching on purpose: a revoked token or a deleted domain must be seen at once, the way
keystonemiddleware behaves with ``token_cache_time = -1``.
"""
import threading

import requests

PAGE = 500  # domains per page; Keystone's own cap is max_db_limit (1000 by default)


class KeystoneError(Exception):
    """Keystone could not be asked (down, or answered something unexpected)."""


class Keystone:
    def __init__(self, url, timeout=10):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()

    @property
    def session(self):
        # requests.Session is not documented as thread-safe: one per worker thread.
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            # A new connection per call. Keystone's gunicorn closes a kept-alive connection after
            # 2 s idle, or while a request sent on it waits for a busy thread; a pooled session
            # then gets "Connection aborted" and the simulator answered a spurious 502 (seen
            # under 10 forks). On loopback a connection costs well under a millisecond.
            session.headers["Connection"] = "close"
        return session

    def _get(self, path, token, **kwargs):
        try:
            return self.session.get(
                self.url + path, headers=dict({"X-Auth-Token": token}, **kwargs.pop("headers", {})),
                timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise KeystoneError("Keystone at %s is unreachable: %s" % (self.url, exc)) from exc

    def validate(self, token):
        """The token's body (``{"token": {...}}``) when Keystone accepts it, else None.

        A token may validate itself, so the simulator needs no credentials of its own.
        """
        response = self._get("/v3/auth/tokens", token, headers={"X-Subject-Token": token})
        if response.status_code == 200:
            return response.json()["token"]
        if response.status_code in (401, 403, 404):
            return None
        raise KeystoneError("Keystone answered %s to a token validation" % response.status_code)

    def domain(self, token, domain_id):
        """The domain (``{"id", "name", ...}``) or None when Keystone does not know it."""
        response = self._get("/v3/domains/%s" % requests.utils.quote(domain_id, safe=""), token)
        if response.status_code == 200:
            return response.json()["domain"]
        if response.status_code == 404:
            return None
        raise KeystoneError("Keystone answered %s to GET /v3/domains/%s"
                            % (response.status_code, domain_id))

    def domains(self, token, page=None, on_page=None):
        """Every domain, page by page: unpaged, Keystone silently stops at max_db_limit (1000),
        and a long-lived bed has more (the platform view then lost the Default domain).

        ``page``: domains per page (default ``PAGE``); ``on_page`` is called with each page's
        domains as it arrives (the simulator counts the pages in its request log)."""
        domains, marker = [], None
        while True:
            params = {"limit": page or PAGE}
            if marker:
                params["marker"] = marker
            response = self._get("/v3/domains", token, params=params)
            if response.status_code != 200:
                raise KeystoneError("Keystone answered %s to GET /v3/domains"
                                    % response.status_code)
            body = response.json()
            if on_page is not None:
                on_page(body["domains"])
            domains += body["domains"]
            if not (body.get("links") or {}).get("next") or not body["domains"]:
                return domains
            marker = body["domains"][-1]["id"]
