"""100 domains at once: 10 inventory hosts (local connection), 10 forks, each host its share.

Every domain must end at its own desired values, a second run must change nothing and send no
PATCH, and the request log must show modules really running side by side.
"""
import json
import sys

from playbook_runner import BIN
from relkit import server_quotas

DOMAINS, HOSTS = 100, 10

PLAYBOOK = """
- hosts: eos
  gather_facts: false
  tasks:
    - name: set quotas
      easystack.eos.eos_domain_quota:
        domain: "{{ item.domain }}"
        quotas: "{{ item.quotas }}"
        api_timeout: 20
      loop: "{{ share[inventory_hostname] }}"
      loop_control:
        label: "{{ item.domain }}"
"""


def most_in_flight(records):
    """The largest number of requests the bed was answering at the same moment."""
    events = []
    for record in records:
        end = record["ts"]
        events += [(end - record["ms"] / 1000.0, 1), (end, -1)]
    level = peak = 0
    for event in sorted(events):
        level += event[1]
        peak = max(peak, level)
    return peak


def test_hundred_domains_with_ten_forks(ansible, bed, identities, tmp_path, report):
    domains = identities.domains(DOMAINS, "rel-many")
    wanted = {d["id"]: {"cores": 100 + i, "instances": 200 + i, "ram": 60000 + 64 * i}
              for i, d in enumerate(domains)}
    hosts = ["eos%02d" % n for n in range(HOSTS)]
    share = {host: [{"domain": d["name"], "quotas": wanted[d["id"]]}
                    for d in domains[n::HOSTS]] for n, host in enumerate(hosts)}
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("[eos]\n" + "".join(
        "%s ansible_connection=local ansible_python_interpreter=%s\n" % (host, sys.executable)
        for host in hosts))
    (tmp_path / "share.json").write_text(json.dumps({"share": share}))
    (tmp_path / "playbook.yml").write_text(PLAYBOOK)
    argv = [str(BIN / "ansible-playbook"), "-i", str(inventory), "-f", str(HOSTS),
            "-e", "@" + str(tmp_path / "share.json"), str(tmp_path / "playbook.yml")]
    env = ansible.os_env()

    mark = bed.log_mark()
    first = ansible._run(argv, env, tmp_path)  # pylint: disable=protected-access
    assert first.rc == 0, first.stdout[-3000:] + first.stderr[-3000:]
    items = [r for r in first.results if r["status"] == "item_ok"]
    assert len(items) == DOMAINS and all(r["result"]["changed"] for r in items)
    assert {r["host"] for r in items} == set(hosts)
    records = bed.requests_since(mark)
    patches = [r for r in records if r["method"] == "PATCH"]
    assert len(patches) == DOMAINS and all(r["status"] == 200 for r in patches)
    parallel = most_in_flight(records)
    assert parallel >= 2, "the modules did not run side by side"
    for domain in domains:
        quotas = server_quotas(bed, domain["id"])
        assert {item: quotas[item] for item in wanted[domain["id"]]} == wanted[domain["id"]], \
            (domain, quotas)

    mark = bed.log_mark()
    second = ansible._run(argv, env, tmp_path)  # pylint: disable=protected-access
    assert second.rc == 0, second.stdout[-3000:] + second.stderr[-3000:]
    items = [r for r in second.results if r["status"] == "item_ok"]
    assert len(items) == DOMAINS and not any(r["result"]["changed"] for r in items)
    records = bed.requests_since(mark)
    second_patches = [r for r in records if r["method"] == "PATCH"]
    assert second_patches == []
    assert sum(r["method"] == "GET" and r["path"].startswith("/v3/domain_quotas/")
               for r in records) == DOMAINS
    report.add("concurrency", domains=DOMAINS, forks=HOSTS,
               **{"most requests in flight": parallel, "changed on 2nd run": sum(
                   r["result"]["changed"] for r in items), "PATCH on 2nd run": len(second_patches)})
