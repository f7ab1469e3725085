# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The opt-in token cache: where, which permissions, when a token is reused, dropped on 401."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import stat
import threading

from ansible_collections.easystack.eos.plugins.module_utils.client import EosClient
from ansible_collections.easystack.eos.plugins.module_utils.token_cache import (
    MARGIN, TokenCache, cache_dir, cache_key)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    APP_SECRET, PASSWORD, TOKEN, TOKEN2, TOKENS_URL, UNAUTHORIZED, Cloud, fake_session,
    quota_settings, reply, sent, settings_of)

NOW = datetime.datetime(2026, 11, 28, 12, 0, 0, tzinfo=datetime.timezone.utc)


def body(expires_in):
    expires = NOW + datetime.timedelta(seconds=expires_in)
    return {"token": {"expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
                      "catalog": [], "roles": [{"name": "admin"}]}}


def cache_in(tmp_path, settings=None):
    return TokenCache(settings or settings_of(), directory=str(tmp_path / "tokens"), now=lambda: NOW)


def test_store_and_load_with_private_permissions(tmp_path):
    cache = cache_in(tmp_path)
    cache.store(TOKEN, body(3600))
    assert cache.load() == (TOKEN, body(3600))
    assert stat.S_IMODE(os.stat(cache.directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(cache.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.join(cache.directory, ".key")).st_mode) == 0o600
    # no temp file left; the HMAC key beside the token file
    assert sorted(os.listdir(cache.directory)) == sorted([os.path.basename(cache.path), ".key"])


def test_token_close_to_expiry_is_not_reused(tmp_path):
    cache = cache_in(tmp_path)
    cache.store(TOKEN, body(MARGIN - 1))
    assert cache.load() is None
    cache.store(TOKEN, body(MARGIN + 60))
    assert cache.load() is not None


def test_the_key_covers_the_secret_through_an_hmac_and_names_none(tmp_path):
    admin = settings_of()
    other_password = settings_of({"auth": dict(settings_of().auth, password="another")})
    other_project = settings_of({"auth": dict(settings_of().auth, project_name="demo")})
    key = b"k" * 32
    assert cache_key(admin, key) != cache_key(other_password, key)  # a wrong password misses
    assert cache_key(admin, key) != cache_key(other_project, key)
    assert cache_key(admin, key) != cache_key(admin, b"j" * 32)  # keyed: not a plain hash
    cache = cache_in(tmp_path, admin)
    cache.store(TOKEN, body(3600))
    for secret in (PASSWORD, TOKEN, APP_SECRET):
        assert secret not in cache.path
    app = settings_of({"auth": {"auth_url": admin.auth["auth_url"], "application_credential_id": "ac1",
                                "application_credential_secret": APP_SECRET}})
    app_cache = cache_in(tmp_path, app)
    app_cache.store(TOKEN, body(3600))
    assert APP_SECRET not in app_cache.path


def test_a_wrong_password_never_gets_the_cached_token(tmp_path):
    cache_in(tmp_path).store(TOKEN, body(3600))
    wrong = settings_of({"auth": dict(settings_of().auth, password="Wrong-Password-1")})
    assert cache_in(tmp_path, wrong).load() is None
    assert cache_in(tmp_path).load() == (TOKEN, body(3600))


def test_a_symlinked_cache_file_is_never_read(tmp_path):
    cache = cache_in(tmp_path)
    cache.store(TOKEN, body(3600))
    real = tmp_path / "elsewhere.json"
    os.rename(cache.path, str(real))
    os.symlink(str(real), cache.path)
    assert cache_in(tmp_path).load() is None


def test_a_symlinked_directory_is_never_used(tmp_path):
    real = tmp_path / "real-tokens"
    real.mkdir(mode=0o700)
    os.symlink(str(real), str(tmp_path / "tokens"))
    cache = cache_in(tmp_path)
    cache.store(TOKEN, body(3600))
    assert os.listdir(str(real)) == [] and cache.load() is None


def test_a_key_file_others_can_read_or_of_the_wrong_size_is_not_trusted(tmp_path):
    cache = cache_in(tmp_path)
    cache.store(TOKEN, body(3600))
    key = os.path.join(cache.directory, ".key")
    os.chmod(key, 0o644)
    assert cache_in(tmp_path).load() is None
    os.chmod(key, 0o600)
    with open(key, "ab") as handle:
        handle.write(b"x")
    assert cache_in(tmp_path).load() is None
    cache_in(tmp_path).store(TOKEN, body(3600))  # nor replaced: someone else's doing
    assert os.path.getsize(key) == 33


def test_unreadable_foreign_or_open_files_are_misses(tmp_path):
    cache = cache_in(tmp_path)
    cache.store(TOKEN, body(3600))
    os.chmod(cache.path, 0o644)
    assert cache.load() is None
    with open(cache.path, "w") as handle:
        handle.write('{"token": "x", "body": {"tok')
    os.chmod(cache.path, 0o600)
    assert cache.load() is None
    cache.drop()
    assert cache.load() is None
    cache.drop()  # dropping nothing is fine


def test_a_directory_others_can_write_is_not_used(tmp_path):
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o777)
    os.chmod(str(directory), 0o777)
    cache = cache_in(tmp_path)
    cache.store(TOKEN, body(3600))
    assert cache.path is None and os.listdir(str(directory)) == []


def test_default_location_follows_xdg():
    assert cache_dir({"XDG_CACHE_HOME": "/x"}) == "/x/easystack.eos/tokens"
    assert cache_dir({}).endswith(os.path.join(".cache", "easystack.eos", "tokens"))


def test_parallel_writers_never_leave_a_torn_file(tmp_path):
    caches = [cache_in(tmp_path) for dummy in range(8)]
    errors = []

    def write(cache, index):
        for round_ in range(50):
            cache.store("token-%d-%d" % (index, round_), body(3600))
            loaded = cache.load()
            if loaded is None or not loaded[0].startswith("token-"):
                errors.append(loaded)

    threads = [threading.Thread(target=write, args=(cache, i)) for i, cache in enumerate(caches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with open(caches[0].path) as handle:
        assert json.load(handle)["token"].startswith("token-")


def test_forks_that_start_together_agree_on_one_whole_key(tmp_path):
    # The first stores race to make the key: none may read it half written (and distrust it).
    for round_ in range(40):
        directory = tmp_path / str(round_)
        caches = [TokenCache(settings_of(), directory=str(directory / "tokens"), now=lambda: NOW)
                  for dummy in range(6)]
        start = threading.Barrier(len(caches))
        loaded = []

        def first_store(cache):
            start.wait()
            cache.store(TOKEN, body(3600))
            loaded.append((cache.path, cache.load()))

        threads = [threading.Thread(target=first_store, args=(cache,)) for cache in caches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(path for path, dummy in loaded)) == 1
        assert all(entry is not None and entry[0] == TOKEN for dummy, entry in loaded)
        assert sorted(os.listdir(str(directory / "tokens")))[0] == ".key"


def test_client_uses_the_cache_and_drops_it_on_401(tmp_path):
    cloud = Cloud()
    cloud.route("GET", "https://quota.example/v3/domain_usage",
                reply(200, {"domain": {}}), reply(401, UNAUTHORIZED), reply(200, {"domain": {}}))
    tokens = [TOKEN, TOKEN2]
    cloud.token_reply = lambda: reply(201, {"token": {
        "expires_at": "2999-01-01T00:00:00.000000Z", "catalog": cloud.catalog}},
        {"X-Subject-Token": tokens.pop(0)})
    settings = quota_settings()
    cache = TokenCache(settings, directory=str(tmp_path / "tokens"))
    first = EosClient(settings, session=fake_session(cloud, settings), token_cache=cache)
    assert first.get("/v3/domain_usage") == {"domain": {}}
    assert not first.token_from_cache and cache.load()[0] == TOKEN

    secrets = []
    session = fake_session(cloud, settings)
    second = EosClient(settings, session=session, on_secret=secrets.append, token_cache=cache)
    # The cached token is reused, refused (401), dropped; one new login; the call retried.
    assert second.get("/v3/domain_usage") == {"domain": {}}
    assert len(sent(session, "POST", TOKENS_URL)) == 1
    assert [e["headers"]["X-Auth-Token"] for e in sent(session, "GET")] == [TOKEN, TOKEN2]
    assert secrets == [TOKEN, TOKEN2]
    assert cache.load()[0] == TOKEN2


def test_token_auth_type_is_never_cached():
    settings = settings_of({"auth": {"auth_url": "https://k/v3", "token": TOKEN,
                                     "project_id": "p"}}, token_cache=True)
    assert settings.token_cache is False
    assert settings_of(token_cache=True).token_cache is True
