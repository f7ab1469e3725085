"""The quota service's state: a SQLite database seeded from a fixture file.

Tables hold the regions (with their volume types and whether the secure-container product is
installed), one row per domain, region and item (quota, allocated, really used, limit), the
fault-injection rules, and in ``meta`` the fixture and the control API's settings. Domain rows are created lazily, the first time a domain is seen, from the
fixture's per-domain values or its defaults, so any domain created in Keystone has quotas.

Values keep the JSON type they were written with (the columns have no type affinity), so a PATCH
of ``156.5`` reads back as ``156.5`` and ``60`` as ``60``.
"""
import json
import re
import sqlite3
import threading

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS region (
    name TEXT PRIMARY KEY, volume_types TEXT NOT NULL, containers INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS domain_item (
    domain_id TEXT NOT NULL, region TEXT NOT NULL, item TEXT NOT NULL,
    quota, allocated, used, lim,
    PRIMARY KEY (domain_id, region, item));
CREATE TABLE IF NOT EXISTS fault (
    id INTEGER PRIMARY KEY AUTOINCREMENT, method TEXT, path TEXT NOT NULL,
    remaining INTEGER NOT NULL, action TEXT NOT NULL);
"""

COLUMNS = ("quota", "allocated", "used", "lim")


class Store:
    """Thread-safe access to the simulator's SQLite database (one connection per thread)."""

    def __init__(self, path, fixture_path):
        self.path = str(path)
        self.fixture_path = str(fixture_path)
        self._local = threading.local()
        self._db().executescript(SCHEMA)  # executescript commits on its own: no transaction
        with self._write() as db:
            if db.execute("SELECT value FROM meta WHERE key = 'fixture'").fetchone() is None:
                self._seed(db)

    # -- connections and transactions -------------------------------------------------------

    def _db(self):
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    class _Txn:
        def __init__(self, db, mode):
            self.db, self.mode = db, mode

        def __enter__(self):
            self.db.execute("BEGIN " + self.mode)
            return self.db

        def __exit__(self, exc_type, exc, tb):
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")

    def _write(self):
        # IMMEDIATE takes the write lock up front: a PATCH reads and writes in one step, and two
        # concurrent PATCHes serialise instead of one failing or losing its update.
        return self._Txn(self._db(), "IMMEDIATE")

    def _read(self):
        return self._Txn(self._db(), "DEFERRED")

    # -- seeding -------------------------------------------------------------------------------

    def _seed(self, db):
        with open(self.fixture_path, encoding="utf-8") as handle:
            fixture = json.load(handle)
        db.execute("DELETE FROM meta")
        db.execute("DELETE FROM region")
        db.execute("DELETE FROM domain_item")
        db.execute("DELETE FROM fault")
        db.execute("INSERT INTO meta VALUES ('fixture', ?)", (json.dumps(fixture),))
        for name, region in fixture["regions"].items():
            db.execute(
                "INSERT INTO region VALUES (?, ?, ?)",
                (name, json.dumps(region["volume_types"]), int(region["containers"])),
            )

    def reset(self):
        """Back to the fixture: regions, and every domain re-created from it on next sight."""
        with self._write() as db:
            self._seed(db)

    def fixture(self, db):
        return json.loads(db.execute("SELECT value FROM meta WHERE key = 'fixture'").fetchone()[0])

    # -- regions and items -----------------------------------------------------------------------

    def regions(self, db=None):
        """``{name: [items...]}`` in a stable order: base, per volume type, container items."""
        if db is None:
            with self._read() as db:
                return self.regions(db)
        items = self.fixture(db)["items"]
        result = {}
        for name, volume_types, containers in db.execute(
            "SELECT name, volume_types, containers FROM region ORDER BY name"
        ):
            names = list(items["base"])
            for volume_type in json.loads(volume_types):
                names += ["%s_%s" % (prefix, volume_type) for prefix in items["per_volume_type"]]
            if containers:
                names += items["containers"]
            result[name] = names
        return result

    def container_items(self, db):
        return set(self.fixture(db)["items"]["containers"])

    def set_region(self, name, volume_types=None, containers=None):
        with self._write() as db:
            row = db.execute(
                "SELECT volume_types, containers FROM region WHERE name = ?", (name,)
            ).fetchone()
            if row is None:
                row = ("[]", 0)
            db.execute(
                "INSERT OR REPLACE INTO region VALUES (?, ?, ?)",
                (
                    name,
                    json.dumps(volume_types) if volume_types is not None else row[0],
                    int(containers) if containers is not None else row[1],
                ),
            )

    # -- domains -----------------------------------------------------------------------------------

    def _initial_values(self, fixture, domain_name, region, item):
        """Fixture value of each column for one item of a new domain row."""
        defaults = fixture["defaults"]
        domain = fixture["domains"].get(domain_name, {}).get(region, {})
        prefix = item.split("_", 1)[0]
        values = []
        for column, key in (("quota", "quotas"), ("allocated", "allocated"), ("used", "used"),
                            ("lim", "limits")):
            value = domain.get(key, {}).get(item)
            if value is None:
                value = defaults[key].get(item)
            if value is None and prefix in fixture["items"]["per_volume_type"]:
                value = defaults[key].get(prefix)
            if value is None:
                value = -1 if column in ("quota", "lim") else 0
            values.append(value)
        return values

    def ensure_domains(self, domains):
        """Create the missing rows of each ``(domain_id, domain_name)`` from the fixture."""
        with self._write() as db:
            fixture = self.fixture(db)
            regions = self.regions(db)
            for domain_id, domain_name in domains:
                rows = []
                for region, items in regions.items():
                    for item in items:
                        rows.append([domain_id, region, item]
                                    + self._initial_values(fixture, domain_name, region, item))
                db.executemany(
                    "INSERT OR IGNORE INTO domain_item VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )

    def _domain_view(self, db, domain_id):
        regions = self.regions(db)
        view = {region: {"usage": {}, "quotas": {}, "limits": {}} for region in regions}
        for region, item, quota, allocated, lim in db.execute(
            "SELECT region, item, quota, allocated, lim FROM domain_item WHERE domain_id = ?",
            (domain_id,),
        ):
            if region in regions and item in regions[region]:
                view[region]["usage"][item] = allocated
                view[region]["quotas"][item] = quota
                view[region]["limits"][item] = lim
        return view

    def domain_view(self, domain_id):
        """The API's per-region view of one domain: usage (= allocated), quotas, limits."""
        with self._read() as db:
            return self._domain_view(db, domain_id)

    def patch_quotas(self, domain_id, region, quotas, validate):
        """Apply ``quotas`` atomically after ``validate(items, limits)`` found no error.

        ``validate`` receives the region's item list and the domain's current limits inside the
        write transaction, so the check and the write see the same state. It returns a list of
        error messages; any error aborts the whole request and nothing is written.
        """
        with self._write() as db:
            items = self.regions(db).get(region, [])
            limits = dict(db.execute(
                "SELECT item, lim FROM domain_item WHERE domain_id = ? AND region = ?",
                (domain_id, region),
            ).fetchall())
            errors = validate(items, limits)
            if errors:
                return errors
            db.executemany(
                "UPDATE domain_item SET quota = ? WHERE domain_id = ? AND region = ? AND item = ?",
                [(value, domain_id, region, item) for item, value in quotas.items()],
            )
            return []

    def set_domain_values(self, domain_id, region, column, values):
        """Test control: set allocated/used/limits (or quotas) of a domain directly."""
        column = {"quotas": "quota", "allocated": "allocated", "used": "used",
                  "limits": "lim"}[column]
        with self._write() as db:
            db.executemany(
                "UPDATE domain_item SET %s = ? WHERE domain_id = ? AND region = ? AND item = ?"
                % column,
                [(value, domain_id, region, item) for item, value in values.items()],
            )

    def platform_view(self, domain_ids, platform_domain_id):
        """``/v3/domain_usage``: the platform quota is the default domain's quota; allocated and
        used are summed over every domain; container items report used = 0."""
        with self._read() as db:
            regions = self.regions(db)
            containers = self.container_items(db)
            view = {}
            platform = self._domain_view(db, platform_domain_id)
            for region, items in regions.items():
                allocated = dict.fromkeys(items, 0)
                used = dict.fromkeys(items, 0)
                placeholders = ",".join("?" * len(domain_ids))
                for item, alloc_sum, used_sum in db.execute(
                    "SELECT item, SUM(allocated), SUM(used) FROM domain_item "
                    "WHERE region = ? AND domain_id IN (%s) GROUP BY item" % placeholders,
                    [region] + list(domain_ids),
                ):
                    if item in allocated:
                        allocated[item] = alloc_sum
                        used[item] = 0 if item in containers else used_sum
                quotas = platform[region]["quotas"]
                view[region] = {
                    # Container items are reported, with used = 0, as the real service does.
                    "usage": used,
                    "allocated": allocated,
                    "quotas": quotas,
                    "limits": platform[region]["limits"],
                    # Deprecated and meaningless in the real API; shaped like its sample.
                    "quota_fake": {
                        item: quotas[item] if re.match(r"(volumes|gigabytes|snapshots|backup)",
                                                       item) else -1
                        for item in items if item not in containers
                    },
                }
            return view

    # -- settings of the bed's own behaviour ----------------------------------------------------

    def setting(self, name):
        """A setting made through the control API (in ``meta``, so ``reset`` drops it); else None."""
        with self._read() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", ("setting:" + name,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_setting(self, name, value):
        """Set (or, with None, drop) a setting."""
        with self._write() as db:
            db.execute("DELETE FROM meta WHERE key = ?", ("setting:" + name,))
            if value is not None:
                db.execute("INSERT INTO meta VALUES (?, ?)", ("setting:" + name, json.dumps(value)))

    # -- fault injection ------------------------------------------------------------------------

    def add_fault(self, path, count, action, method=None):
        re.compile(path)  # reject a bad pattern when it is set, not when it is matched
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO fault (method, path, remaining, action) VALUES (?, ?, ?, ?)",
                (method.upper() if method else None, path, int(count), json.dumps(action)),
            )
            return cursor.lastrowid

    def faults(self):
        with self._read() as db:
            return [
                {"id": fid, "method": method, "path": path, "remaining": remaining,
                 "action": json.loads(action)}
                for fid, method, path, remaining, action in db.execute(
                    "SELECT id, method, path, remaining, action FROM fault ORDER BY id")
            ]

    def clear_faults(self):
        with self._write() as db:
            db.execute("DELETE FROM fault")

    def take_fault(self, method, path):
        """The first armed rule matching this request, counted down atomically; else None."""
        db = self._db()
        # Cheap check without the write lock: the common case is "no rule at all".
        if db.execute("SELECT 1 FROM fault WHERE remaining > 0 LIMIT 1").fetchone() is None:
            return None
        with self._write() as db:
            for fid, rule_method, pattern, action in db.execute(
                "SELECT id, method, path, action FROM fault WHERE remaining > 0 ORDER BY id"
            ).fetchall():
                if rule_method and rule_method != method:
                    continue
                if re.search(pattern, path):
                    db.execute("UPDATE fault SET remaining = remaining - 1 WHERE id = ?", (fid,))
                    return json.loads(action)
        return None
