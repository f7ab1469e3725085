"""Bad input at playbook level: every case must fail cleanly (fail_json, never a crash).

The cases are an explicit list (no fuzzing at playbook level): wrong types, impossible values,
names that do not exist, and broken connection settings. Each runs as its own playbook; they run
four at a time, each in its own home directory.
"""
import json
from concurrent.futures import ThreadPoolExecutor

from playbook_runner import CRASH_MARKERS, Ansible

QUOTA, USAGE, PASSWORD = "eos_domain_quota", "eos_domain_usage_info", "eos_user_password"
METRICS = "eos_quota_metrics"

# A case: (id, module, task arguments as YAML, environment kind, what the failure message must
# say[, a secret that must appear nowhere in the output]), as ``case`` builds it.
# What the message must say is a string or a tuple of strings, each of which it must hold as
# written (case and all): the reason, with the value or the option and what is wrong with it,
# not merely the option's name. AUTH_URL, KEYSTONE_URL and EOS_URL stand for the bed's URLs,
# HOME for the case's home directory.
# Environment kinds: admin (the bed admin's OS_* variables), none (nothing at all), or
# clouds:<file text>:<cloud name> (a clouds.yaml in the home directory, OS_CLOUD set).


def case(name, module, args, words, env="admin", secret=None):
    """One case; most run with the bed admin's variables and have no secret to look for."""
    return (name, module, args, env, words) + ((secret,) if secret else ())


def on_acme(name, quotas, words):
    """A case of eos_domain_quota on acme: its ``quotas`` (YAML), and any further options."""
    return case(name, QUOTA, "domain: acme\nquotas: " + quotas, words)


def clouds(name, text, words, cloud="bed", secret=None):
    """A case of eos_domain_usage_info with nothing but a clouds.yaml of ``text``."""
    return case(name, USAGE, "", words, "clouds:%s:%s" % (text, cloud), secret)


def login(name, auth_url, words):
    """A case of eos_domain_usage_info whose whole auth option logs in at ``auth_url``."""
    return case(name, USAGE, "auth: {auth_url: '%s', username: admin, password: x, project_name: admin, "
                "user_domain_name: Default, project_domain_name: Default}" % auth_url, words, "none")


NOT_A_DICT = "unable to convert to dict"
IT_OFFERS = "It offers: eos-quota admin RegionOne EOS_URL;"
CASES = [
    on_acme("quotas is a list", "[1, 2]", ("argument 'quotas' is of type list", NOT_A_DICT)),
    on_acme("quotas is a string", "lots of cores", ("argument 'quotas' is of type str", NOT_A_DICT)),
    on_acme("force is 'maybe'", "{cores: 80}\nforce: maybe",
            ("argument 'force'", "'maybe' is not a valid boolean")),
    case("domain is a dict", QUOTA, "domain: {name: acme}\nquotas: {cores: 80}",
         "Domain '{'name': 'acme'}' not found (by name or ID) at EOS_URL"),
    on_acme("unknown items", "{coers: 1, warp_drives: 2}", "unknown quota item 'coers'"),
    on_acme("empty quotas", "{}", "at least one quota item"),
    on_acme("1e400 as a string", "{cores: '1e400'}", "not a finite number"),
    on_acme("10**30", "{instances: %d}" % 10 ** 30, "too large"),
    on_acme("negative -2", "{cores: -2}", "is negative"),
    on_acme("negative -0.5", "{cores: -0.5}", "is negative"),
    on_acme("'1e-400' rounds to 0", "{backup_gigabytes: '1e-400'}", "too small to be told from 0"),
    on_acme("'1_000'", "{cores: '1_000'}", "not a number"),
    on_acme("Arabic-Indic digit", "{cores: '\u0663'}", "not a number"),
    on_acme("full-width digit", "{cores: '\uff15'}", "not a number"),
    case("empty password from an unset variable", PASSWORD,
         "user: alice\ndomain: acme\npassword: \"{{ lookup('env', 'EOS_SURELY_UNSET_VARIABLE') }}\"",
         "Option 'password' is empty"),
    case("empty user", PASSWORD, "user: ''\ndomain: acme\npassword: Zz-1secret", "Option 'user' is empty"),
    case("whitespace domain (password)", PASSWORD, "user: alice\ndomain: '  '\npassword: Zz-1secret",
         "Option 'domain' is empty or only whitespace"),
    case("empty domain (info)", USAGE, "domain: ''", "Option 'domain' is empty"),
    case("empty domain (quota)", QUOTA, "domain: ''\nquotas: {cores: 80}", "Option 'domain' is empty"),
    clouds("clouds.yaml broken on a password line",
           'clouds:\n  bed:\n    auth:\n      password: "devstacker-Secret" x\n',
           ("HOME/clouds.yaml is not valid YAML/JSON: error at line 4, column 37", "the text there is not shown"),
           secret="devstacker-Secret"),
    clouds("clouds.yaml broken on an app credential secret",
           "clouds:\n  bed:\n    auth:\n      application_credential_secret: abc-Secret: def\n",
           ("HOME/clouds.yaml is not valid YAML/JSON: error at line 4, column 48", "the text there is not shown"),
           secret="abc-Secret"),
    on_acme("NaN (YAML float)", "{cores: .nan}", "not a finite number"),
    on_acme("'NaN' string", "{cores: 'NaN'}", "not a number"),
    on_acme("'-inf' string", "{ram: '-inf'}", "not a number"),
    on_acme("boolean value", "{cores: true}", "is a boolean"),
    on_acme("quota value is a dict", "{cores: {a: 1}}", "not a number"),
    case("unicode domain", QUOTA, "domain: отдел-δ\nquotas: {cores: 80}", "Domain 'отдел-δ' not found"),
    case("emoji domain", QUOTA, "domain: \"\U0001F680-отдел\"\nquotas: {cores: 80}",
         "Domain '\U0001F680-отдел' not found"),
    case("unicode domain (info)", USAGE, "domain: отдел-δ", "Domain 'отдел-δ' not found"),
    case("region is a list (info)", USAGE, "region: [RegionOne]",
         "Region '['RegionOne']' is not reported by the quota API; regions: RegionOne, RegionTwo"),
    case("unicode user", PASSWORD, "user: пользователь-δ\ndomain: Default\npassword: Zz-1secret",
         "User 'пользователь-δ' not found"),
    case("emoji user and domain", PASSWORD,
         "user: \"\U0001F9D1\u200d\U0001F4BB\"\ndomain: \"\U0001F3E2\"\npassword: Zz-1secret",
         "Domain '\U0001F3E2' not found"),
    case("update_password 'sometimes'", PASSWORD,
         "user: alice\ndomain: acme\npassword: Zz-1secret\nupdate_password: sometimes",
         "value of update_password must be one of: on_mismatch, always, got: sometimes"),
    case("password missing", PASSWORD, "user: alice\ndomain: acme", "missing required arguments: password"),
    case("no credentials at all", USAGE, "",
         ("No credentials: set the auth option", "(looked in: HOME/clouds.yaml"), "none"),
    clouds("clouds.yaml invalid YAML", "clouds: {bed: [unclosed",
           "HOME/clouds.yaml is not valid YAML/JSON: error at line 1, column 24"),
    clouds("clouds not a mapping", "clouds: [a, b]\n", "HOME/clouds.yaml must hold a mapping with a 'clouds' mapping"),
    clouds("clouds.yaml unknown auth key", "clouds: {bed: {auth: {auth_url: 'AUTH_URL', username: admin, passwd: x, "
           "project_name: admin, domain_name: Default}}}",
           "Unknown auth keys passwd in cloud 'bed' in HOME/clouds.yaml; known: auth_url, username"),
    clouds("cloud not in clouds.yaml", "clouds: {other: {auth: {auth_url: 'AUTH_URL'}}}",
           "Cloud 'bed' is not in HOME/clouds.yaml; clouds there: other"),
    case("cloud option is a list", USAGE, "cloud: [bed]",
         "cloud must be the name of a clouds.yaml entry or a dict, not list"),
    login("unreachable auth URL", "http://127.0.0.1:9/v3",
          "Cannot reach POST http://127.0.0.1:9/v3/auth/tokens: connection refused"),
    login("auth URL is the bed's health URL", "EOS_URL/_bed/health",
          "POST EOS_URL/_bed/health/v3/auth/tokens answered HTTP 404"),
    login("auth URL is not Keystone (/nope)", "EOS_URL/nope", "POST EOS_URL/nope/v3/auth/tokens answered HTTP 404"),
    case("wrong password", USAGE, "auth: {password: not-the-password}",
         ("Authentication failed for user admin (domain Default), project admin (domain Default) at AUTH_URL",
          "Check the credentials")),
    case("unknown auth_type", USAGE, "auth_type: kerberos",
         "auth_type 'kerberos' is not supported; use one of: password, token, v3applicationcredential"),
    case("api_timeout -1", USAGE, "api_timeout: -1", "api_timeout must be a number of seconds above 0 and at most 3600"),
    case("wrong service_type (info)", USAGE, "service_type: compute",
         ("No compute endpoint for interface public in region RegionOne in the catalog", IT_OFFERS)),
    on_acme("wrong service_type (quota)", "{cores: 80}\nservice_type: object-store",
            ("No object-store endpoint for interface public in region RegionOne in the catalog", IT_OFFERS)),
    case("endpoint_override is Keystone itself", USAGE, "endpoint_override: 'KEYSTONE_URL'",
         "GET KEYSTONE_URL/v3/domain_usage answered HTTP 404"),
    on_acme("endpoint_override is /nope", "{cores: 80}\nendpoint_override: 'EOS_URL/nope'",
            "GET EOS_URL/nope/v3/domain_quotas/ACME_ID answered HTTP 404"),
    case("endpoint_override is the health URL", USAGE, "endpoint_override: 'EOS_URL/_bed/health'",
         "GET EOS_URL/_bed/health/v3/domain_usage answered HTTP 404"),
    case("metrics path in a missing directory", METRICS, "path: /nonexistent-eos-dir/eos.prom",
         ("the directory /nonexistent-eos-dir does not exist on this host", "Nothing was read")),
    case("metrics path is a directory", METRICS, "path: /tmp", "/tmp: it is a directory"),
    case("metrics mode is symbolic", METRICS, "path: /nonexistent-eos-dir/eos.prom\nmode: u=rw",
         "mode must be an octal file mode such as '0644', not 'u=rw'"),
    case("metrics without a path", METRICS, "all_domains: true", "missing required arguments: path"),
    case("metrics with domains and all_domains", METRICS, "path: /tmp/x.prom\nall_domains: true\ndomains: [acme]",
         "mutually exclusive"),
]


def playbook(module, args):
    body = "\n".join("        " + line for line in args.splitlines()) or "        {}"
    return """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: bad input
      easystack.eos.%s:
%s
""" % (module, body)


def substitute(text, bed, home=None):
    keystone = bed.keystone_url.rstrip("/")
    text = (text.replace("AUTH_URL", bed.auth_url).replace("KEYSTONE_URL", keystone)
            .replace("EOS_URL", bed.url).replace("ACME_ID", bed.domains["acme"]))
    return text.replace("HOME", str(home)) if home is not None else text


def run_case(case, bed, collections, home):
    name, module, args, env_kind, words = case[:5]
    secret = case[5] if len(case) > 5 else None
    home.mkdir()
    ansible = Ansible(bed, collections, home)
    if env_kind == "admin":
        env = ansible.os_env()
    elif env_kind == "none":
        env = {}
    else:
        text, cloud = env_kind[len("clouds:"):].rsplit(":", 1)
        (home / "clouds.yaml").write_text(substitute(text, bed))
        env = {"OS_CLOUD": cloud}
    run = ansible.playbook(playbook(module, substitute(args, bed)), env=env)
    text = json.dumps(run.results) + run.stderr
    if any(marker in text for marker in CRASH_MARKERS):
        return name, "crash", text[-1500:]
    try:
        result = run.assert_clean_failure()
    except AssertionError as exc:
        return name, "not a clean failure", str(exc)[-1500:] + run.stdout[-800:]
    lacking = [part for part in ((words,) if isinstance(words, str) else words)
               if substitute(part, bed, home) not in result["msg"]]
    if lacking:
        return name, "message lacks %r" % [substitute(p, bed, home) for p in lacking], result["msg"]
    if secret and secret in run.stdout + run.stderr:
        return name, "the secret %r is in the output" % secret, result["msg"]
    return name, "clean failure", result["msg"]


def test_bad_input_fails_cleanly(bed, collections, tmp_path, report):
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(
            lambda numbered: run_case(numbered[1], bed, collections,
                                      tmp_path / ("case%02d" % numbered[0])),
            enumerate(CASES)))
    crashes = [o for o in outcomes if o[1] == "crash"]
    report.add("bad input", **{"cases tried": len(outcomes), "clean failures": sum(
        o[1] == "clean failure" for o in outcomes), "crashes": len(crashes)})
    wrong = [o for o in outcomes if o[1] != "clean failure"]
    assert not wrong, "\n\n".join("%s: %s\n%s" % o for o in wrong)
