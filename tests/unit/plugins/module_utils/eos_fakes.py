# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fakes for the module_utils unit tests: a requests adapter answering from a handler, settings,
secrets. The session under test is the real one (new_http's configuration, streaming, bounds):
only the adapter that would open sockets is replaced."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import json
import os

import pytest
import requests
from requests.adapters import BaseAdapter
from urllib3.response import HTTPResponse

from ansible.module_utils import basic
from ansible.module_utils import _internal as ansible_internal
from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.easystack.eos.plugins.module_utils import untrusted
from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule
from ansible_collections.easystack.eos.plugins.module_utils.session import EosSession, new_http

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args=None):
        serialized = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode("utf-8")
        with mock.patch.object(basic, "_ANSIBLE_ARGS", serialized):
            yield
from ansible_collections.easystack.eos.plugins.module_utils.options import resolve_connection

PASSWORD = "s3cr3t-Pa55word"
TOKEN = "gAAAAA-token-value-0123456789"
APP_SECRET = "app-cred-secret-XYZ"
AUTH_URL = "https://keystone.example:5000/v3"

BASE_PARAMS = {
    "auth": {
        "auth_url": AUTH_URL, "username": "admin", "password": PASSWORD,
        "user_domain_name": "Default", "project_name": "admin", "project_domain_name": "Default",
    },
}


def reply(status=200, body=None, headers=None, reason=None, raw=None):
    """An answer for FakeTransport: JSON ``body`` (or ``raw`` bytes), headers, status."""
    headers = dict(headers or {})
    if raw is None and body is not None:
        raw = json.dumps(body).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    return (status, headers, raw or b"", reason)


class FakeRequest:
    """What a handler sees: method, url, headers and the raw body, as sent."""

    def __init__(self, method, url, headers, body):
        self.method, self.url, self.headers, self.body = method, url, headers, body


class FakeAdapter(BaseAdapter):
    """Answers every request from ``handler(request)``: a ``reply(...)`` tuple, or an exception
    to raise (a requests exception, as the real adapter raises when there is no answer)."""

    def __init__(self, handler):
        super(FakeAdapter, self).__init__()
        self.handler = handler
        self.sent = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        body = request.body
        self.sent.append({"method": request.method, "url": request.url,
                          "headers": dict(request.headers),
                          "body": json.loads(body) if body else None, "timeout": timeout,
                          "verify": verify, "cert": cert, "stream": stream, "proxies": proxies})
        answer = self.handler(FakeRequest(request.method, request.url, dict(request.headers), body))
        if isinstance(answer, Exception):
            raise answer
        status, headers, raw, reason = answer
        raw_response = HTTPResponse(body=io.BytesIO(raw), headers=headers, status=status,
                                    reason=reason or "", preload_content=False,
                                    decode_content=True)
        response = requests.adapters.HTTPAdapter().build_response(request, raw_response)
        return response

    def close(self):
        pass


def settings_of(params=None, **overrides):
    """ConnectionSettings from task params only (no environment, no clouds.yaml)."""
    merged = dict(BASE_PARAMS)
    merged.update(params or {})
    merged.update(overrides)
    return resolve_connection(merged, environ={}, cwd="/nonexistent-cwd", home="/nonexistent-home")


def fake_session(handler, settings=None, sleeps=None):
    """An EosSession whose HTTP goes to ``handler``; sleeps are recorded in ``sleeps``."""
    sleeps = [] if sleeps is None else sleeps
    settings = settings or settings_of()
    adapter = FakeAdapter(handler)
    http = new_http(settings)
    http.mount("https://", adapter)
    http.mount("http://", adapter)
    session = EosSession(settings, sleep=sleeps.append, http=http)
    session.sleeps = sleeps
    session.adapter = adapter
    return session


def serve(monkeypatch, handler):
    """Every EosSession a module run makes answers from ``handler(request)``: the one way the
    module tests plug in a fake cloud."""
    monkeypatch.setattr("ansible_collections.easystack.eos.plugins.module_utils.client.EosSession",
                        lambda settings: fake_session(handler, settings))


def assert_no_secret(error, secrets=(PASSWORD, TOKEN, APP_SECRET)):
    """No secret in the error's text nor in what the module would pass to fail_json."""
    texts = [str(error), repr(error.fail_kwargs()), str(error.server_message), str(error.title)]
    for secret in secrets:
        for text in texts:
            assert secret not in text


def module_args(**options):
    """Module arguments with a complete password login in the task's auth option."""
    args = {"auth": dict(BASE_PARAMS["auth"])}
    args.update(options)
    return args


def run_module(monkeypatch, capsys, args, action=None, main=None, argument_spec=None):
    """Run ``main()`` (or an EosModule running ``action``); the JSON result it printed."""
    for variable in list(os.environ):
        if variable.startswith("OS_"):
            monkeypatch.delenv(variable)
    # ansible keeps warnings in a process-wide store: one run's must not show in the next
    ansible_warnings._global_warnings.clear()  # pylint: disable=protected-access
    # A test that imported controller code (a filter plugin) makes ansible send warnings to the
    # controller's display instead of the module result: a module run is never the controller.
    monkeypatch.setattr(ansible_internal, "is_controller", False, raising=False)
    untrusted._SECRETS.clear()  # pylint: disable=protected-access  # likewise the secrets
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            if main is not None:
                main()
            else:
                spec = argument_spec or {"domain": dict(type="str")}
                EosModule(argument_spec=spec, supports_check_mode=True).run(action)
    return json.loads(capsys.readouterr().out)


def warnings_of(result):
    """The warnings' texts of a module result (ansible-core 2.19+ wraps each in an event)."""
    return [warning["event"]["msg"] if isinstance(warning, dict) else warning
            for warning in result.get("warnings", [])]


# -- a fake Keystone + quota API with a catalog, for the client's and the token cache's tests --

TOKEN2 = "gAAAAA-second-token-987654321"
TOKENS_URL = "https://keystone.example:5000/v3/auth/tokens"
UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}


def endpoint(interface, url, region="RegionOne"):
    return {"interface": interface, "url": url, "region_id": region}


CATALOG = [
    {"type": "identity", "endpoints": [
        endpoint("public", "https://keystone.example:5000/v3"),
        endpoint("internal", "http://keystone.internal:5000/v3/"),
    ]},
    {"type": "quota", "endpoints": [
        endpoint("public", "https://quota.example/v3/"),
        endpoint("internal", "http://quota.internal:9999"),
        endpoint("public", "https://quota-two.example", "RegionTwo"),
    ]},
]


class Cloud:
    """A fake Keystone + quota API: routes answer in order (the last answer repeats)."""

    def __init__(self, catalog=None, tokens=(TOKEN, TOKEN2)):
        self.catalog = CATALOG if catalog is None else catalog
        self.tokens = list(tokens)
        self.routes = {}

    def route(self, method, url, *answers):
        self.routes[(method, url)] = list(answers)

    def token_reply(self):
        value = self.tokens.pop(0) if len(self.tokens) > 1 else self.tokens[0]
        return reply(201, {"token": {"catalog": self.catalog, "roles": [{"name": "admin"}]}},
                     {"X-Subject-Token": value})

    def __call__(self, request):
        key = (request.method, request.url)
        if key not in self.routes and request.method == "POST" and request.url.endswith("/v3/auth/tokens"):
            return self.token_reply()
        answers = self.routes.get(key)
        if not answers:
            return reply(404, {"error": {"message": "no route %s %s" % key}})
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer() if callable(answer) else answer


def quota_settings(params=None, **overrides):
    """The EOS quota API registered as its own service type (the default is identity)."""
    return settings_of(params, **dict({"service_type": "quota", "region_name": "RegionOne"}, **overrides))


def sent(session, method=None, url=None):
    """What ``session`` (a fake_session) sent, optionally of one method and/or URL."""
    return [entry for entry in session.adapter.sent
            if (method is None or entry["method"] == method) and (url is None or entry["url"] == url)]
