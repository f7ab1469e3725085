# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's reference floor for a requests-based module (tests/bench/benchmark.py).

Not part of the collection's content: an Ansible module made of ``AnsibleModule`` and
``requests`` only, which sends the same HTTP requests as one path of an easystack.eos module,
with nothing else (no clouds.yaml, catalog, retries, token cache, validation or diff). What a
module costs above this is what the collection's own code adds to "import requests and make
these calls". The benchmark loads it through ANSIBLE_LIBRARY (playbooks) or PYTHONPATH
(``python -m requests_reference``).

Credentials come as the eos modules get them in the benchmark: OS_* variables (or options).

path                 requests (the eos module path with the same calls)
usage_platform       login, GET /v3/domain_usage          (eos_domain_usage_info)
usage_domain         login, GET /v3/domains?name=, GET /v3/domain_quotas/{id}
                                                          (eos_domain_usage_info domain=)
quota_unchanged      the same as usage_domain             (eos_domain_quota, nothing to change)
quota_changed        usage_domain + PATCH /v3/domain_quotas/{id}   (eos_domain_quota)
password_check       login, GET /v3/domains?name=, GET /v3/users?name=&domain_id=, unscoped
                     login as the user; PATCH /v3/users/{id} only if that login fails
                                                          (eos_user_password on_mismatch)
password_always      login, the two lookups, PATCH /v3/users/{id}   (eos_user_password always)
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback

import requests

PATHS = ("usage_platform", "usage_domain", "quota_unchanged", "quota_changed",
         "password_check", "password_always")


class Failed(Exception):
    pass


def call(http, method, url, timeout, expected=(200,), **kwargs):
    response = http.request(method, url, timeout=timeout, **kwargs)
    if response.status_code not in expected:
        raise Failed("%s %s: HTTP %d %s" % (method, url.split("?", 1)[0], response.status_code,
                                            response.text[:300]))
    return response


def one(response, collection, what):
    found = response.json()[collection]
    if len(found) != 1:
        raise Failed("%s: %d matches" % (what, len(found)))
    return found[0]


def run(module, http):
    params = module.params
    timeout = params["timeout"]
    root = params["auth_url"].rstrip("/")
    if root.endswith("/v3"):
        root = root[:-3]
    tokens = root + "/v3/auth/tokens"
    login = call(http, "POST", tokens, timeout, expected=(201,), json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": params["username"], "password": params["password"],
            "domain": {"name": params["user_domain_name"]}}}},
        "scope": {"project": {"name": params["project_name"],
                              "domain": {"name": params["project_domain_name"]}}}}})
    http.headers["X-Auth-Token"] = login.headers["X-Subject-Token"]
    path = params["path"]
    if path == "usage_platform":
        body = call(http, "GET", root + "/v3/domain_usage", timeout).json()
        return {"changed": False, "regions": body["domain"]}

    domain = one(call(http, "GET", root + "/v3/domains", timeout,
                      params={"name": params["domain"]}), "domains", "domain " + params["domain"])
    if path.startswith(("usage_", "quota_")):
        url = root + "/v3/domain_quotas/" + domain["id"]
        body = call(http, "GET", url, timeout).json()
        if path == "quota_changed":
            patch = dict(params["quotas"], region=params["region"])
            body = call(http, "PATCH", url, timeout, json={"domain": patch}).json()
        return {"changed": path == "quota_changed", "domain": domain["id"],
                "regions": body["domain"]}

    user = one(call(http, "GET", root + "/v3/users", timeout,
                    params={"name": params["user"], "domain_id": domain["id"]}),
               "users", "user " + params["user"])
    needed = True
    if path == "password_check":
        check = call(http, "POST", tokens, timeout, expected=(201, 401), json={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "id": user["id"], "password": params["user_password"]}}}}},
            headers={"X-Auth-Token": None})  # a login of its own, not with the admin's token
        needed = check.status_code == 401
    if needed:
        user = call(http, "PATCH", root + "/v3/users/" + user["id"], timeout, json={
            "user": {"password": params["user_password"]}}).json()["user"]
    return {"changed": needed, "user": {"id": user["id"], "name": user["name"]}}


def main():
    def env(*names):
        return dict(fallback=(env_fallback, list(names)))

    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="str", required=True, choices=list(PATHS)),
            domain=dict(type="str"),
            quotas=dict(type="dict"),
            user=dict(type="str"),
            user_password=dict(type="str", no_log=True),
            auth_url=dict(type="str", required=True, **env("OS_AUTH_URL")),
            username=dict(type="str", required=True, **env("OS_USERNAME")),
            password=dict(type="str", required=True, no_log=True, **env("OS_PASSWORD")),
            user_domain_name=dict(type="str", default="Default", **env("OS_USER_DOMAIN_NAME")),
            project_name=dict(type="str", required=True, **env("OS_PROJECT_NAME")),
            project_domain_name=dict(type="str", default="Default",
                                     **env("OS_PROJECT_DOMAIN_NAME")),
            region=dict(type="str", **env("OS_REGION_NAME")),
            timeout=dict(type="float", default=30),
        ),
        required_if=[("path", "usage_domain", ["domain"]), ("path", "quota_unchanged", ["domain"]),
                     ("path", "quota_changed", ["domain", "quotas", "region"]),
                     ("path", "password_check", ["domain", "user", "user_password"]),
                     ("path", "password_always", ["domain", "user", "user_password"])],
    )
    try:
        result = run(module, requests.Session())
    except (Failed, requests.RequestException, KeyError, ValueError) as error:
        module.fail_json(msg="%s: %s" % (type(error).__name__, error))
    else:
        module.exit_json(**result)


if __name__ == "__main__":
    main()
