"""The quota_audit callback's lines as tests read them: enabled by environment, read from its
file or a syslog socket, and every line checked against pycadf's CADF event model (a test
dependency: requirements/dev.txt). The integration and AWX suites import these from here."""
import json
import re
import socket
import warnings

from pycadf import attachment, cadftaxonomy, event, host, reason, resource

CALLBACK = "easystack.eos.quota_audit"
# What a secret looks like in text: a Keystone fernet token, a crypt(3) or bcrypt hash.
SECRET_SHAPES = re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}|\$(?:1|2[abxy]?|5|6)\$[./A-Za-z0-9$]{8,}")


def audit_env(path=None, **options):
    """The environment that enables the callback, writing to ``path`` (and the syslog
    ``options``: ``syslog``, ``syslog_socket``, ``syslog_facility``)."""
    env = {"ANSIBLE_CALLBACKS_ENABLED": CALLBACK}
    if path is not None:
        env["EOS_AUDIT_FILE"] = str(path)
    for key, value in options.items():
        env["EOS_AUDIT_" + key.upper()] = str(value)
    return env


def read_events(path):
    """Every event of the audit file: one ASCII line of JSON each, each a valid CADF event."""
    if not path.exists():
        return []
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), raw[-200:]
    records = []
    for number, data in enumerate(raw.split(b"\n")[:-1], 1):
        assert data.isascii(), "line %d is not ASCII: %r" % (number, data[:200])
        record = json.loads(data)
        cadf(record)
        records.append(record)
    return records


def syslog_server(path):
    """A datagram socket at ``path`` standing in for the syslog daemon's /dev/log."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(0.5)
    return server


def syslog_messages(server):
    """``[(priority, ident, event)]`` of every datagram received so far."""
    found = []
    while True:
        try:
            data = server.recv(1 << 20).decode("ascii")
        except socket.timeout:
            return found
        match = re.match(r"^<(\d+)>([\w.-]+)\[\d+\]: (\{.*\})$", data)
        assert match, data[:300]
        record = json.loads(match.group(3))
        cadf(record)
        found.append((int(match.group(1)), match.group(2), record))


def _attachment(data):
    assert set(data) == {"typeURI", "name", "content"}, data
    return attachment.Attachment(typeURI=data["typeURI"], content=data["content"],
                                 name=data["name"])


def _resource(data):
    assert set(data) <= {"typeURI", "id", "name", "domain", "host", "attachments"}, data
    assert cadftaxonomy.is_valid_resource(data["typeURI"]), data["typeURI"]
    found = resource.Resource(id=data["id"], typeURI=data["typeURI"], name=data.get("name"),
                              domain=data.get("domain"),
                              host=host.Host(**data["host"]) if "host" in data else None)
    for item in data.get("attachments", []):
        found.add_attachment(_attachment(item))
    assert found.is_valid(), data
    return found


def cadf(record):
    """``record`` built as a pycadf Event, field by field through pycadf's validators (a wrong
    value raises there); it must be valid and serialize back to exactly ``record``, so that no
    field pycadf does not know goes unnoticed."""
    assert set(record) <= set(event.EVENT_KEYNAMES), sorted(set(record) - set(event.EVENT_KEYNAMES))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pycadf warns of IDs that are no UUID ("default")
        built = event.Event(
            eventType=record["eventType"], id=record["id"], eventTime=record["eventTime"],
            action=record["action"], outcome=record["outcome"],
            initiator=_resource(record["initiator"]), target=_resource(record["target"]),
            observer=_resource(record["observer"]), name=record.get("name"),
            reason=reason.Reason(**record["reason"]) if "reason" in record else None)
        for item in record.get("attachments", []):
            built.add_attachment(_attachment(item))
    assert built.is_valid(), record
    assert built.typeURI == record["typeURI"]
    assert built.as_dict() == record
    assert record["eventType"] == "activity" and record["action"] == "update"
    assert record["outcome"] in ("success", "failure", "unknown")
    return built


def attachments(record):
    """The event's attachments by name."""
    return dict((item["name"], item["content"]) for item in record.get("attachments", []))
