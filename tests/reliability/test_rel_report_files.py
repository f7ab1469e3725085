"""The quota report's own files must not attack their reader, whatever the server names things.

The role easystack.eos.quota_report runs (ansible-playbook) against the hostile server
(``hostile_server.HostileServer``) holding departments whose names are what an attacker (or a
careless admin) would choose: a bare CR followed by a spreadsheet formula, a TAB before ``=``,
names that differ only in CJK characters or punctuation. A spreadsheet must then read the CSV
as exactly the report's rows, none of them split, and no cell that it would evaluate; the page's
ids must be unique and each of its links must land on the one row or department it names.
"""
import csv
import html.parser
import re
import unicodedata
from collections import Counter

import pytest

from hostile_server import REGION
from relkit import login

HOSTILE_NAMES = [
    "x\r=cmd|' /C calc'!A0",                       # a bare CR: the old CSV split the row here
    "\t=HYPERLINK(\"http://evil.example/\",\"x\")",  # a leading TAB passed the old guard
    "  @SUM(1+1)*cmd|' /C calc'!A0",               # blanks before @
    "y\n-2+3+cmd|' /C calc'!A0",                   # LF, then -
    'say "hi", then =1+1',                         # a quote and a comma
    "研发部", "销售部",                               # CJK only: the old ids were alike
    "a.b", "a b", "a_b",                           # punctuation only: alike too
]
COLUMNS = ["region", "scope", "name", "item", "label", "unit", "quota", "allocated", "used",
           "free", "percent_allocated", "percent_used", "limit", "above_threshold",
           "departments_quota", "departments_unlimited", "departments_cover", "oversubscribed"]
NUMERIC = {"quota", "allocated", "used", "free", "percent_allocated", "percent_used", "limit",
           "departments_quota"}
ROLE = "easystack.eos.quota_report : "  # how a task of the role is named in the results
PLAYBOOK = """
- name: Quota report of a hostile server's departments
  hosts: localhost
  gather_facts: false
  roles:
    - role: easystack.eos.quota_report
      eos_quota_report_domains: all
"""


def dangerous(text):
    """What a spreadsheet could evaluate: a first character TAB or CR, or = + - @ as the first
    character after blanks (whitespace, control and format characters)."""
    if text[:1] in ("\t", "\r"):
        return True
    rest = text
    while rest and (rest[0].isspace() or unicodedata.category(rest[0]) in ("Cc", "Cf")):
        rest = rest[1:]
    return rest[:1] in ("=", "+", "-", "@")


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def lines(text):
    """Line ends as HTML reads them (CR LF and CR are LF)."""
    return re.sub(r"\r\n?", "\n", text)


class Page(html.parser.HTMLParser):
    """Every id, every link (target, text, where it is), each platform row's id and each
    department's (its details), and the rows of every table as (scope, name, item)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = Counter()
        self.links = []
        self.rows = {}
        self.departments = {}
        self.all_rows = []
        self._scope = None
        self._link = None
        self._where = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if tag == "div" and attrs.get("data-scope") == "platform":
            self._scope = ("platform", "platform")
        elif tag == "details" and "department" in (attrs.get("class") or ""):
            self._scope = ("domain", lines(attrs["data-name"]))
            self.departments[attrs["id"]] = self._scope[1]
        elif tag == "tr" and attrs.get("data-item") and self._scope is not None:
            row = self._scope + (attrs["data-item"],)
            self.all_rows.append(row)
            if attrs.get("id"):
                self.rows.setdefault(attrs["id"], []).append(row)
        elif tag == "a" and (attrs.get("href") or "").startswith("#"):
            self._link = {"target": attrs["href"][1:], "text": "", "in": list(self._where)}
        if tag in ("div", "details", "li", "section"):
            self._where.append(attrs)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None
        elif tag in ("div", "details", "li", "section") and self._where:
            self._where.pop()

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += lines(data)


def busy(server):
    """Every department (and so the platform) has 65 of its 72 vCPUs allocated: above the
    threshold, so that the page links to a row of each of them."""
    plain = server.domain_view

    def view(domain_id=None):
        answer = plain(domain_id)
        answer["domain"][REGION]["usage"]["cores"] = 65
        return answer

    server.domain_view = view


def run_report(ansible, server, admin_password, report_dir):
    run = ansible.playbook(PLAYBOOK, extra_vars={
        "eos_auth": login(server.url + "/v3", admin_password),
        "eos_quota_report_dir": str(report_dir)})
    assert run.rc == 0, run.stdout[-6000:] + run.stderr[-3000:]
    return run


@pytest.fixture()
def report_files(ansible, server, admin_password, tmp_path):
    """The role's run against a hostile server with HOSTILE_NAMES: the run, the server, the
    report's directory, the departments the role read and the rows the report must have
    (scope, name, item), in order."""
    for name in HOSTILE_NAMES:
        server.add_domain(name)
    busy(server)
    report_dir = tmp_path / "report"
    run = run_report(ansible, server, admin_password, report_dir)
    # what the role read: every domain of the server (all_domains: by name, then ID), each with
    # its items, straight from the server's state
    read = sorted(server.domains, key=lambda domain: (domain["name"], domain["id"]))
    expected = [("platform", "platform", item)
                for item in sorted(server.domain_view()["domain"][REGION]["quotas"])]
    for domain in read:
        expected += [("domain", domain["name"], item)
                     for item in sorted(server.domain_view(domain["id"])["domain"][REGION]["quotas"])]
    return {"run": run, "server": server, "password": admin_password, "dir": report_dir,
            "read": read, "expected": expected}


def test_the_csv_is_the_rows_and_no_cell_is_a_formula(report_files):
    """A bare CR split a row (the next line began with =cmd|...); a TAB before = passed the
    guard."""
    expected = report_files["expected"]
    path = report_files["dir"] / "eos-quota-report.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == COLUMNS
    problems = []
    if len(rows) - 1 != len(expected):
        problems.append("%d rows for %d items (a row split?)" % (len(rows) - 1, len(expected)))
    for number, row in enumerate(rows[1:], 2):
        if len(row) != len(COLUMNS):
            problems.append("row %d has %d cells: %r" % (number, len(row), row[:4]))
        for column, value in zip(COLUMNS + ["?"] * len(row), row):
            if dangerous(value) and not (column in NUMERIC and is_number(value)):
                problems.append("row %d %s is evaluated by a spreadsheet: %r"
                                % (number, column, value))
    assert not problems, "\n".join(problems)
    got = [(row[1], row[2], row[3]) for row in rows[1:]]
    wanted = [(scope, "'" + name if dangerous(name) else name, item)
              for scope, name, item in expected]
    assert got == wanted
    for name in HOSTILE_NAMES:
        if dangerous(name):
            assert ("domain", "'" + name, "cores") in got, "%r not guarded" % name


def test_the_page_ids_are_unique_and_each_link_lands_on_its_row(ansible, report_files):
    """Names that differ only in CJK characters or punctuation (研发部 / 销售部, a.b / a b) had
    one id: the page's links landed on the wrong department."""
    expected, read = report_files["expected"], report_files["read"]
    page = Page()
    page.feed((report_files["dir"] / "eos-quota-report.html").read_text(encoding="utf-8"))
    twice = sorted(ident for ident, count in page.ids.items() if count > 1)
    assert not twice, "ids used more than once: %s" % twice
    assert sorted(page.all_rows) == sorted(
        (scope, lines(name), item) for scope, name, item in expected)
    assert sorted(page.departments.values()) == sorted(lines(domain["name"]) for domain in read)
    dangling = [link for link in page.links if page.ids[link["target"]] != 1]
    assert not dangling, dangling
    marked = [link for link in page.links
              if any(where.get("id") == "needs-action" for where in link["in"])
              and not any(where.get("id") == "oversubscription" for where in link["in"])]
    # every department and the platform have their vCPUs above the threshold: one link each,
    # the platform's to its vCPU row, each department's to its own details
    assert len(marked) == len(read) + 1, [link["text"] for link in marked]
    for link in marked:
        if link["target"] in page.rows:
            assert page.rows[link["target"]] == [("platform", "platform", "cores")], link
        else:
            assert page.departments[link["target"]] == link["text"], (
                "the link to %r lands on %r" % (link["text"], page.departments.get(link["target"])))
    oversubscribed = [link for link in page.links
                      if any(where.get("id") == "oversubscription" for where in link["in"])]
    assert oversubscribed, "the departments' 72 vCPUs each add up to more than the platform's 72"
    for link in oversubscribed:
        assert [row[0] for row in page.rows[link["target"]]] == ["platform"], link
    assert ("platform", "platform", "cores") in [page.rows[link["target"]][0] for link in oversubscribed]

    # a second run reads the same numbers: neither file is written again
    before = [(report_files["dir"] / name).stat().st_mtime_ns
              for name in ("eos-quota-report.html", "eos-quota-report.csv")]
    again = run_report(ansible, report_files["server"], report_files["password"],
                       report_files["dir"])
    assert again.task(ROLE + "Read the quotas and write the report")["changed"] is False
    assert [(report_files["dir"] / name).stat().st_mtime_ns
            for name in ("eos-quota-report.html", "eos-quota-report.csv")] == before
