"""Bad input at playbook level: every case must fail cleanly (fail_json, never a crash).

The cases are an explicit list (no fuzzing at playbook level): wrong types, impossible values,
names that do not exist, and broken connection settings. Each runs as its own playbook; they run
four at a time, each in its own home directory.
"""
import json
from concurrent.futures import ThreadPoolExecutor

from playbook_runner import CRASH_MARKERS, Ansible

QUOTA, USAGE, PASSWORD = "eos_domain_quota", "eos_domain_usage_info", "eos_user_password"

# (id, module, task arguments as YAML, environment kind, what the failure message must say
#  [, a secret that must appear nowhere in the output])
# What the message must say is a string or a tuple of strings, each of which it must hold as
# written (case and all): the reason, with the value or the option and what is wrong with it,
# not merely the option's name. AUTH_URL, KEYSTONE_URL and EOS_URL stand for the bed's URLs,
# HOME for the case's home directory.
# Environment kinds: admin (the bed admin's OS_* variables), none (nothing at all), or
# clouds:<file text>:<cloud name> (a clouds.yaml in the home directory, OS_CLOUD set).
CASES = [
    ("quotas is a list", QUOTA, "domain: acme\nquotas: [1, 2]", "admin",
     ("argument 'quotas' is of type list", "unable to convert to dict")),
    ("quotas is a string", QUOTA, "domain: acme\nquotas: lots of cores", "admin",
     ("argument 'quotas' is of type str", "unable to convert to dict")),
    ("force is 'maybe'", QUOTA, "domain: acme\nquotas: {cores: 80}\nforce: maybe", "admin",
     ("argument 'force'", "'maybe' is not a valid boolean")),
    ("domain is a dict", QUOTA, "domain: {name: acme}\nquotas: {cores: 80}", "admin",
     "Domain '{'name': 'acme'}' not found (by name or ID) at EOS_URL"),
    ("unknown items", QUOTA, "domain: acme\nquotas: {coers: 1, warp_drives: 2}", "admin",
     "unknown quota item 'coers'"),
    ("empty quotas", QUOTA, "domain: acme\nquotas: {}", "admin", "at least one quota item"),
    ("1e400 as a string", QUOTA, "domain: acme\nquotas: {cores: '1e400'}", "admin",
     "not a finite number"),
    ("10**30", QUOTA, "domain: acme\nquotas: {instances: %d}" % 10 ** 30, "admin", "too large"),
    ("negative -2", QUOTA, "domain: acme\nquotas: {cores: -2}", "admin", "is negative"),
    ("negative -0.5", QUOTA, "domain: acme\nquotas: {cores: -0.5}", "admin", "is negative"),
    ("'1e-400' rounds to 0", QUOTA, "domain: acme\nquotas: {backup_gigabytes: '1e-400'}", "admin",
     "too small to be told from 0"),
    ("'1_000'", QUOTA, "domain: acme\nquotas: {cores: '1_000'}", "admin", "not a number"),
    ("Arabic-Indic digit", QUOTA, "domain: acme\nquotas: {cores: '\u0663'}", "admin",
     "not a number"),
    ("full-width digit", QUOTA, "domain: acme\nquotas: {cores: '\uff15'}", "admin",
     "not a number"),
    ("empty password from an unset variable", PASSWORD,
     "user: alice\ndomain: acme\npassword: \"{{ lookup('env', 'EOS_SURELY_UNSET_VARIABLE') }}\"",
     "admin", "Option 'password' is empty"),
    ("empty user", PASSWORD, "user: ''\ndomain: acme\npassword: Zz-1secret", "admin",
     "Option 'user' is empty"),
    ("whitespace domain (password)", PASSWORD, "user: alice\ndomain: '  '\npassword: Zz-1secret",
     "admin", "Option 'domain' is empty or only whitespace"),
    ("empty domain (info)", USAGE, "domain: ''", "admin", "Option 'domain' is empty"),
    ("empty domain (quota)", QUOTA, "domain: ''\nquotas: {cores: 80}", "admin",
     "Option 'domain' is empty"),
    ("clouds.yaml broken on a password line", USAGE, "",
     'clouds:clouds:\n  bed:\n    auth:\n      password: "devstacker-Secret" x\n:bed',
     ("HOME/clouds.yaml is not valid YAML/JSON: error at line 4, column 37",
      "the text there is not shown"), "devstacker-Secret"),
    ("clouds.yaml broken on an app credential secret", USAGE, "",
     "clouds:clouds:\n  bed:\n    auth:\n      application_credential_secret: abc-Secret: def\n:bed",
     ("HOME/clouds.yaml is not valid YAML/JSON: error at line 4, column 48",
      "the text there is not shown"), "abc-Secret"),
    ("NaN (YAML float)", QUOTA, "domain: acme\nquotas: {cores: .nan}", "admin",
     "not a finite number"),
    ("'NaN' string", QUOTA, "domain: acme\nquotas: {cores: 'NaN'}", "admin", "not a number"),
    ("'-inf' string", QUOTA, "domain: acme\nquotas: {ram: '-inf'}", "admin", "not a number"),
    ("boolean value", QUOTA, "domain: acme\nquotas: {cores: true}", "admin", "is a boolean"),
    ("quota value is a dict", QUOTA, "domain: acme\nquotas: {cores: {a: 1}}", "admin",
     "not a number"),
    ("unicode domain", QUOTA, "domain: отдел-δ\nquotas: {cores: 80}", "admin",
     "Domain 'отдел-δ' not found"),
    ("emoji domain", QUOTA, "domain: \"\U0001F680-отдел\"\nquotas: {cores: 80}", "admin",
     "Domain '\U0001F680-отдел' not found"),
    ("unicode domain (info)", USAGE, "domain: отдел-δ", "admin", "Domain 'отдел-δ' not found"),
    ("region is a list (info)", USAGE, "region: [RegionOne]", "admin",
     "Region '['RegionOne']' is not reported by the quota API; regions: RegionOne, RegionTwo"),
    ("unicode user", PASSWORD, "user: пользователь-δ\ndomain: Default\npassword: Zz-1secret",
     "admin", "User 'пользователь-δ' not found"),
    ("emoji user and domain", PASSWORD,
     "user: \"\U0001F9D1\u200d\U0001F4BB\"\ndomain: \"\U0001F3E2\"\npassword: Zz-1secret", "admin",
     "Domain '\U0001F3E2' not found"),
    ("update_password 'sometimes'", PASSWORD,
     "user: alice\ndomain: acme\npassword: Zz-1secret\nupdate_password: sometimes", "admin",
     "value of update_password must be one of: on_mismatch, always, got: sometimes"),
    ("password missing", PASSWORD, "user: alice\ndomain: acme", "admin",
     "missing required arguments: password"),
    ("no credentials at all", USAGE, "", "none",
     ("No credentials: set the auth option", "(looked in: HOME/clouds.yaml")),
    ("clouds.yaml invalid YAML", USAGE, "", "clouds:clouds: {bed: [unclosed:bed",
     "HOME/clouds.yaml is not valid YAML/JSON: error at line 1, column 24"),
    ("clouds not a mapping", USAGE, "", "clouds:clouds: [a, b]\n:bed",
     "HOME/clouds.yaml must hold a mapping with a 'clouds' mapping"),
    ("clouds.yaml unknown auth key", USAGE, "",
     "clouds:clouds: {bed: {auth: {auth_url: 'AUTH_URL', username: admin, passwd: x, "
     "project_name: admin, domain_name: Default}}}:bed",
     "Unknown auth keys passwd in cloud 'bed' in HOME/clouds.yaml; known: auth_url, username"),
    ("cloud not in clouds.yaml", USAGE, "",
     "clouds:clouds: {other: {auth: {auth_url: 'AUTH_URL'}}}:bed",
     "Cloud 'bed' is not in HOME/clouds.yaml; clouds there: other"),
    ("cloud option is a list", USAGE, "cloud: [bed]", "admin",
     "cloud must be the name of a clouds.yaml entry or a dict, not list"),
    ("unreachable auth URL", USAGE,
     "auth: {auth_url: 'http://127.0.0.1:9/v3', username: admin, password: x, "
     "project_name: admin, user_domain_name: Default, project_domain_name: Default}", "none",
     "Cannot reach POST http://127.0.0.1:9/v3/auth/tokens: connection refused"),
    ("auth URL is the bed's health URL", USAGE,
     "auth: {auth_url: 'EOS_URL/_bed/health', username: admin, password: x, "
     "project_name: admin, user_domain_name: Default, project_domain_name: Default}", "none",
     "POST EOS_URL/_bed/health/v3/auth/tokens answered HTTP 404"),
    ("auth URL is not Keystone (/nope)", USAGE,
     "auth: {auth_url: 'EOS_URL/nope', username: admin, password: x, "
     "project_name: admin, user_domain_name: Default, project_domain_name: Default}", "none",
     "POST EOS_URL/nope/v3/auth/tokens answered HTTP 404"),
    ("wrong password", USAGE, "auth: {password: not-the-password}", "admin",
     ("Authentication failed for user admin (domain Default), project admin (domain Default) "
      "at AUTH_URL", "Check the credentials")),
    ("unknown auth_type", USAGE, "auth_type: kerberos", "admin",
     "auth_type 'kerberos' is not supported; use one of: password, token, "
     "v3applicationcredential"),
    ("api_timeout -1", USAGE, "api_timeout: -1", "admin", "api_timeout must be a number of seconds above 0 and at most 3600"),
    ("wrong service_type (info)", USAGE, "service_type: compute", "admin",
     ("No compute endpoint for interface public in region RegionOne in the catalog",
      "It offers: eos-quota admin RegionOne EOS_URL;")),
    ("wrong service_type (quota)", QUOTA, "domain: acme\nquotas: {cores: 80}\n"
     "service_type: object-store", "admin",
     ("No object-store endpoint for interface public in region RegionOne in the catalog",
      "It offers: eos-quota admin RegionOne EOS_URL;")),
    ("endpoint_override is Keystone itself", USAGE, "endpoint_override: 'KEYSTONE_URL'", "admin",
     "GET KEYSTONE_URL/v3/domain_usage answered HTTP 404"),
    ("endpoint_override is /nope", QUOTA,
     "domain: acme\nquotas: {cores: 80}\nendpoint_override: 'EOS_URL/nope'", "admin",
     "GET EOS_URL/nope/v3/domain_quotas/ACME_ID answered HTTP 404"),
    ("endpoint_override is the health URL", USAGE, "endpoint_override: 'EOS_URL/_bed/health'",
     "admin", "GET EOS_URL/_bed/health/v3/domain_usage answered HTTP 404"),
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
