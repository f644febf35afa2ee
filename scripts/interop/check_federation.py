#!/usr/bin/env python3
"""Check the example federation in Schemas/examples/ for the rules JSON Schema cannot express.

The schemas (scripts/interop/validate_schemas.py) check each file on its own. This script loads all of
them together and checks what needs more than one value or more than one file:

catalog-entry        the Swift validator's rules: a conditional label has a condition and a 'none' label a
                     basis; 'none' implies openness 'closed'; no item is more open than its resource
                     (unconditional < conditional < none); a core resource is never unconditional; the node part
                     of the id equals the provider; item names are unique; at least one primary key; personal
                     or sensitive-personal items imply openness other than 'open'; a sensitive-personal item is
                     never effectively unconditional; purposes are unique and non-empty unless sharing is
                     'none', and every purpose is registered; ids are unique; the provider has a
                     responsibility list.
responsibility-list  one list per department; it covers exactly the department's resources; conditional
                     resources (and resources with conditional items) have an approver; the maintainer's
                     updateCycle equals the entry's; the negative list names exactly the department's 'none'
                     resources with the entry's basis; needs point at other departments' shareable resources
                     for a purpose they allow; contacts are office mailboxes or phone numbers.
calendar             from <= to; every date within [from, to]; no date listed twice; no date both a holiday
                     and a working day; adjusted working days fall on weekend days.
purposes             exactly one registry; unique codes; exactly one '*'; no empty hierarchy segment.
consent              unique ids; one purpose, not a 'purposes' array; the subject is not a resident identity
                     number; start < expiry and given.at <= expiry; controller and recipients are federation
                     members; every scoped resource exists, is shareable and allows the purpose; the fields
                     exist, are unique and are not 'none'; the purpose is registered, its limits admit
                     'consent', and dataLifeDays is within its maxDataLifeDays (most specific match first).
agreement            unique ids; the requester is a member other than the provider; the resource exists and
                     is conditional (or the fields asked for include a conditional item); the fields exist,
                     are unique and are not 'none'; the purpose is allowed by the resource, registered, and
                     its limits admit the legal basis; statutory-duty names its reference; validFrom <
                     validUntil; the history starts with 'applied', follows applied -> approved | rejected |
                     withdrawn and approved -> revoked, ends in 'state', never goes back in time, and gives a
                     reason for rejected and revoked; the requester's needs list names the resource and
                     purpose; decisions are made by the provider (node id or its approver's role), withdrawals
                     by the requester, revocations by the provider, approver or supervisor; a reply (approved or
                     rejected) comes within the approver's replyWithinWorkingDays (default 10) working days of
                     the application, counted on the calendar in China Standard Time (UTC+8); a subscription
                     stays within the purpose's frequency limit.
records              Schemas/examples/records/<resource>.jsonl (optional; <resource> as for catalog entries):
                     the department's own records of one resource, one per line, as `exchange-node records
                     import` reads them with ProviderRecord.read. The file is UTF-8, ends with a newline and
                     has no empty line; it names a catalog entry. Each line is a JSON object without duplicate
                     keys, with nothing but 'subject' and 'fields'; the subject, if any, is a pseudonym
                     (ConsentRecord.isPseudonym: 4-128 characters of A-Z a-z 0-9 . _ : -, starting with a
                     letter or digit, with a letter other than X, never an ID or phone number); every field is
                     a data item of the entry, with a value of its type (FieldType.accepts: string; integer, a
                     whole number up to 2^53; decimal, any number; boolean; date YYYY-MM-DD; datetime
                     YYYY-MM-DDTHH:MM:SSZ; time HH:MM:SS; binary, padded standard base64; null never); the
                     entry's first primaryKey item (the record's key) is a non-empty string or a whole number,
                     unique in the file; a data item named 'subject' equals the record's subject; no value
                     looks like a resident identity number (examples carry placeholders). Every consent's
                     subject has at least one record in each scoped resource that has a records file.
record               Schemas/examples/record/<resource>[.<label>].json: one record, the same rules as a line.
every file           is UTF-8 JSON without duplicate keys, named after its id (catalog entries: the resource
                     id with '/' as '.', the 'gov.' prefix optional; responsibility lists: the department).

Prints one line per problem ("FAIL <file>: <what>"), then "N passed, M failed" (N + M checks ran).
Exit 0 if nothing failed, else 1. Standard library only.

Example: python3 scripts/interop/check_federation.py [--root /path/to/repo] [--examples DIR] [-v]
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable

RANK = {"unconditional": 0, "conditional": 1, "none": 2}
PERSONAL = {"personal", "sensitive-personal"}
RESIDENT_ID = re.compile(r"^\d{17}[\dXx]$")
RESIDENT_ID_INSIDE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
PSEUDONYM_CHARS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
ISO_DATETIME = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$")
ISO_TIME = re.compile(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})$")
BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")
MAILBOX = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,30}$")
TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
CHINA_STANDARD_TIME = timezone(timedelta(hours=8))  # no daylight saving time since 1991
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
TRANSITIONS = {"applied": {"approved", "rejected", "withdrawn"}, "approved": {"revoked"}}
# Lengths in days, exact, with a month as a twelfth of a year so that "monthly" fits "12 per year".
PER_DAYS = {"hour": Fraction(1, 24), "day": Fraction(1), "month": Fraction(365, 12), "year": Fraction(365)}
EVERY_DAYS = {"hourly": Fraction(1, 24), "daily": Fraction(1), "weekly": Fraction(7), "monthly": Fraction(365, 12)}
FOLDERS = ["catalog-entry", "responsibility-list", "calendar", "purposes", "consent", "agreement"]


# ---------------------------------------------------------------------------------------------- reading

def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def load_json(path: Path) -> Any:
    return json.loads(path.read_bytes().decode("utf-8"), object_pairs_hook=_no_duplicates)


def load_json_lines(path: Path) -> list[tuple[int, Any]]:
    """(line number, value) per line; ValueError naming the line if the file or a line is not well formed."""
    content = path.read_bytes().decode("utf-8")
    if not content.endswith("\n"):
        raise ValueError("the file is empty or its last line does not end with a newline")
    values = []
    for number, line in enumerate(content[:-1].split("\n"), start=1):
        if not line.strip():
            raise ValueError(f"line {number} is empty")
        try:
            values.append((number, json.loads(line, object_pairs_hook=_no_duplicates)))
        except ValueError as error:
            raise ValueError(f"line {number}: {error}") from None
    return values


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def objs(value: Any) -> list[dict[str, Any]]:
    return [item for item in arr(value) if isinstance(item, dict)]


def text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def timestamp(value: Any) -> datetime | None:
    try:
        return datetime.strptime(value, TIMESTAMP).replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def duplicates(values: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    dups: list[Any] = []
    for value in values:
        if value in seen and value not in dups:
            dups.append(value)
        seen.add(value)
    return dups


def is_pseudonym(value: Any) -> bool:
    """ConsentRecord.isPseudonym: no resident identity number, no all-digit phone or 15-digit ID number."""
    if not isinstance(value, str) or not 4 <= len(value.encode("utf-8")) <= 128 or not PSEUDONYM_CHARS.fullmatch(value):
        return False
    looks_like_id = len(value) == 18 and value[:17].isdigit() and (value[17].isdigit() or value[17] in "xX")
    has_letter = any(c.isalpha() and c not in "xX" for c in value)
    return not looks_like_id and has_letter


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and (
        isinstance(value, int) or value == value and value not in (float("inf"), float("-inf")))


def accepts(kind: Any, value: Any) -> bool:
    """FieldType.accepts: whether `value` is a value of the item type `kind`."""
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return is_number(value) and value == int(value) and abs(value) <= 2 ** 53
    if kind == "decimal":
        return is_number(value)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, str) and ISO_DATE.fullmatch(value) is not None and day(value) is not None
    if kind == "datetime":
        found = ISO_DATETIME.fullmatch(value) if isinstance(value, str) else None
        return found is not None and day(value[:10]) is not None and int(found[4]) < 24 and int(found[5]) < 60 \
            and int(found[6]) < 60
    if kind == "time":
        found = ISO_TIME.fullmatch(value) if isinstance(value, str) else None
        return found is not None and int(found[1]) < 24 and int(found[2]) < 60 and int(found[3]) < 60
    if kind == "binary":
        if not isinstance(value, str) or BASE64.fullmatch(value) is None:
            return False
        try:  # canonical only: the unused bits of the last character are zero
            return base64.b64encode(base64.b64decode(value, validate=True)).decode("ascii") == value
        except ValueError:
            return False
    return False


def record_key(entry: dict[str, Any], fields: dict[str, Any]) -> str | None:
    """ProviderRecord.read: the value of the entry's first primaryKey item, a non-empty string or whole number."""
    item = next((i for i in objs(entry.get("items")) if i.get("primaryKey") is True), None)
    value = fields.get(item.get("name")) if item else None
    if isinstance(value, str):
        return value or None
    if is_number(value) and value == int(value):
        return str(int(value))
    return None


def sharing_type(label: Any) -> str | None:
    kind = obj(label).get("type")
    return kind if kind in RANK else None


# ---------------------------------------------------------------------------------------------- model

class Federation:
    """Everything loaded, with lookups the checks share."""

    def __init__(self) -> None:
        self.catalog: dict[str, tuple[Path, dict[str, Any]]] = {}
        self.lists: dict[str, tuple[Path, dict[str, Any]]] = {}
        self.calendars: list[tuple[Path, dict[str, Any]]] = []
        self.registries: list[tuple[Path, dict[str, Any]]] = []
        self.consents: list[tuple[Path, dict[str, Any]]] = []
        self.agreements: list[tuple[Path, dict[str, Any]]] = []
        # resource id -> (records file, [(line number, record)]); only the lines that are JSON objects
        self.records: dict[str, tuple[Path, list[tuple[int, dict[str, Any]]]]] = {}
        self.record_examples: list[tuple[Path, dict[str, Any]]] = []

    def resource_named(self, stem: str, labelled: bool = False) -> str | None:
        """The catalog resource a file stem names (its id with '/' as '.', 'gov.' optional), or with a '.label'."""
        for rid in self.catalog:
            for name in (rid.replace("/", "."), rid.removeprefix("gov.").replace("/", ".")):
                if stem == name or (labelled and stem.startswith(name + ".")):
                    return rid
        return None

    # catalog
    def entry(self, resource: Any) -> dict[str, Any] | None:
        found = self.catalog.get(resource) if isinstance(resource, str) else None
        return found[1] if found else None

    @staticmethod
    def item(entry: dict[str, Any], name: str) -> dict[str, Any] | None:
        return next((i for i in objs(entry.get("items")) if i.get("name") == name), None)

    @staticmethod
    def field_sharing(entry: dict[str, Any], item: dict[str, Any]) -> str | None:
        """The item's own label if it has one, else the resource's."""
        return sharing_type(item["sharing"]) if "sharing" in item else sharing_type(entry.get("sharing"))

    # purposes
    @property
    def purposes(self) -> dict[str, dict[str, Any]]:
        table: dict[str, dict[str, Any]] = {}
        for _, registry in self.registries:
            for purpose in objs(registry.get("purposes")):
                if isinstance(purpose.get("code"), str):
                    table.setdefault(purpose["code"], purpose)
        return table

    def limits(self, code: str) -> tuple[str, dict[str, Any]] | None:
        """Most specific first: the code, each shorter dot-prefix, then '*'."""
        table = self.purposes
        parts = code.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in table:
                return candidate, obj(table[candidate].get("limits"))
        if "*" in table:
            return "*", obj(table["*"].get("limits"))
        return None

    # responsibility lists
    def responsibility(self, resource: str) -> dict[str, Any] | None:
        entry = self.entry(resource)
        if entry is None or entry.get("provider") not in self.lists:
            return None
        department = self.lists[entry["provider"]][1]
        return next((r for r in objs(department.get("resources")) if r.get("resource") == resource), None)

    # calendar
    def working_day(self, when: date) -> bool | None:
        """None when no calendar covers the day."""
        for _, calendar in self.calendars:
            start, end = day(calendar.get("from")), day(calendar.get("to"))
            if start is None or end is None or not start <= when <= end:
                continue
            iso = when.isoformat()
            if any(d.get("date") == iso for d in objs(calendar.get("workingDays"))):
                return True
            if any(d.get("date") == iso for d in objs(calendar.get("holidays"))):
                return False
            return WEEKDAYS[when.weekday()] not in arr(calendar.get("weekend"))
        return None

    def deadline(self, applied: date, working_days: int) -> date | None:
        current, counted = applied, 0
        while counted < working_days:
            current += timedelta(days=1)
            working = self.working_day(current)
            if working is None:
                return None
            counted += 1 if working else 0
        return current


class Report:
    def __init__(self, root: Path, verbose: bool) -> None:
        self.root = root
        self.verbose = verbose
        self.passed = 0
        self.failed = 0

    def name(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def check(self, ok: bool, path: Path, what: str) -> bool:
        """Count one check; print it if it failed (or always, with -v). `what` states the rule broken."""
        if ok:
            self.passed += 1
            if self.verbose:
                print(f"PASS {self.name(path)}: {what}")
        else:
            self.failed += 1
            print(f"FAIL {self.name(path)}: {what}")
        return ok

    def guard(self, path: Path, run: Callable[[], None]) -> None:
        """Run one file's checks; a file too malformed to check is one failure, not a crash."""
        try:
            run()
        except Exception as error:  # noqa: BLE001 - report and go on with the other files
            self.check(False, path, f"could not be checked ({type(error).__name__}: {error})")


# ---------------------------------------------------------------------------------------------- loading

def load(examples: Path, report: Report) -> Federation:
    fed = Federation()
    for folder in FOLDERS:
        directory = examples / folder
        files = sorted(p for p in directory.glob("*.json") if p.is_file()) if directory.is_dir() else []
        report.check(bool(files), directory, f"holds at least one {folder} example")
        for path in files:
            try:
                data = load_json(path)
            except (OSError, UnicodeDecodeError, ValueError) as error:
                report.check(False, path, f"is not readable JSON ({error})")
                continue
            if not report.check(isinstance(data, dict), path, "is a JSON object"):
                continue
            if folder == "catalog-entry":
                rid = data.get("id")
                if report.check(isinstance(rid, str) and rid not in fed.catalog, path,
                                f"has an id, not already used by another catalog entry (id {rid!r})"):
                    fed.catalog[rid] = (path, data)
            elif folder == "responsibility-list":
                dept = data.get("department")
                if report.check(isinstance(dept, str) and dept not in fed.lists, path,
                                f"names a department that has no other responsibility list ({dept!r})"):
                    fed.lists[dept] = (path, data)
            elif folder == "calendar":
                fed.calendars.append((path, data))
            elif folder == "purposes":
                fed.registries.append((path, data))
            elif folder == "consent":
                fed.consents.append((path, data))
            else:
                fed.agreements.append((path, data))
    load_records(fed, examples, report)
    return fed


def load_records(fed: Federation, examples: Path, report: Report) -> None:
    """records/*.jsonl and record/*.json, if there are any (they are optional)."""
    directory = examples / "records"
    for path in sorted(p for p in directory.glob("*.jsonl") if p.is_file()) if directory.is_dir() else []:
        rid = fed.resource_named(path.stem)
        if not report.check(rid is not None, path, "is named after a catalog resource (<resource id with '/' as '.'>.jsonl)"):
            continue
        try:
            lines = load_json_lines(path)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            report.check(False, path, f"is UTF-8 JSON Lines, one JSON value per line, newline-terminated ({error})")
            continue
        report.check(bool(lines), path, "holds at least one record")
        records = []
        for number, record in lines:
            if report.check(isinstance(record, dict), path, f"line {number}: is a JSON object [records.not-object]"):
                records.append((number, record))
        fed.records[rid] = (path, records)
    directory = examples / "record"
    for path in sorted(p for p in directory.glob("*.json") if p.is_file()) if directory.is_dir() else []:
        try:
            data = load_json(path)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            report.check(False, path, f"is not readable JSON ({error})")
            continue
        if report.check(isinstance(data, dict), path, "is a JSON object [records.not-object]"):
            fed.record_examples.append((path, data))


# ---------------------------------------------------------------------------------------------- checks

def check_registry(fed: Federation, report: Report, examples: Path) -> None:
    report.check(len(fed.registries) == 1, examples / "purposes",
                 f"holds exactly one purposes registry (found {len(fed.registries)})")
    for path, registry in fed.registries:
        def run(path: Path = path, registry: dict[str, Any] = registry) -> None:
            codes = [p.get("code") for p in objs(registry.get("purposes"))]
            dups = duplicates(codes)
            report.check(not dups, path, f"purpose codes are unique (repeated: {dups})")
            report.check(codes.count("*") == 1, path, f"has exactly one '*' default (found {codes.count('*')})")
            for code in codes:
                if isinstance(code, str) and code != "*":
                    report.check(all(code.split(".")), path,
                                 f"purpose {code!r} has no empty hierarchy segment (no '..', no leading or trailing '.')")
        report.guard(path, run)


def check_registered(fed: Federation, report: Report, path: Path, code: Any, where: str) -> bool:
    ok = isinstance(code, str) and code != "*" and code in fed.purposes
    return report.check(ok, path, f"{where}: purpose {code!r} is registered in the purposes registry")


def check_catalog(fed: Federation, report: Report) -> None:
    for rid, (path, entry) in fed.catalog.items():
        def run(rid: str = rid, path: Path = path, entry: dict[str, Any] = entry) -> None:
            provider = entry.get("provider")
            sharing = obj(entry.get("sharing"))
            kind = sharing_type(sharing)
            openness = obj(entry.get("openness"))
            items = objs(entry.get("items"))
            node, _, name = rid.partition("/")
            stems = {rid.replace("/", "."), rid.removeprefix("gov.").replace("/", ".")}
            report.check(path.stem in stems, path, f"file is named after the resource ({' or '.join(sorted(stems))}.json)")
            report.check(node == provider, path, f"the id's node part {node!r} equals provider {provider!r}")
            report.check(provider in fed.lists, path, f"provider {provider!r} has a responsibility list (is a federation member)")
            report.check(kind is not None, path, "has a sharing label unconditional, conditional or none")
            if kind == "conditional":
                report.check(text(sharing.get("condition")), path, "conditional sharing states its condition")
            if kind == "none":
                report.check(text(sharing.get("basis")), path, "sharing 'none' states its legal basis")
                report.check(openness.get("type") == "closed", path,
                             f"sharing 'none' implies openness 'closed' (is {openness.get('type')!r})")
            if openness.get("type") == "conditional":
                report.check(text(openness.get("condition")), path, "conditional openness states its condition")
            if entry.get("grade") == "core":
                report.check(kind != "unconditional", path, "a core resource is never shared unconditionally")
            names = [i.get("name") for i in items]
            report.check(not duplicates(names), path, f"item names are unique (repeated: {duplicates(names)})")
            report.check(any(i.get("primaryKey") is True for i in items), path, "at least one item is a primary key")
            personal = [i.get("name") for i in items if i.get("sensitivity") in PERSONAL]
            if personal:
                report.check(openness.get("type") != "open", path,
                             f"has personal items ({', '.join(map(str, personal))}), so openness is not 'open'")
            for item in items:
                label = item.get("name")
                if "sharing" in item:
                    own = obj(item["sharing"])
                    own_kind = sharing_type(own)
                    report.check(own_kind is not None, path, f"item {label!r}: its sharing label is known")
                    if own_kind == "conditional":
                        report.check(text(own.get("condition")), path, f"item {label!r}: conditional sharing states its condition")
                    if own_kind == "none":
                        report.check(text(own.get("basis")), path, f"item {label!r}: sharing 'none' states its legal basis")
                    if own_kind is not None and kind is not None:
                        report.check(RANK[own_kind] >= RANK[kind], path,
                                     f"item {label!r} ({own_kind}) is not more open than its resource ({kind})")
                if item.get("sensitivity") == "sensitive-personal":
                    report.check(fed.field_sharing(entry, item) != "unconditional", path,
                                 f"sensitive-personal item {label!r} is not effectively unconditional")
            purposes = arr(entry.get("purposes"))
            report.check(not duplicates(purposes), path, f"purposes are unique (repeated: {duplicates(purposes)})")
            if kind != "none":
                report.check(bool(purposes), path, "a shareable resource names at least one purpose")
            for code in purposes:
                check_registered(fed, report, path, code, "purposes")
        report.guard(path, run)


def check_contact(report: Report, path: Path, person: dict[str, Any], where: str) -> None:
    contact = person.get("contact")
    ok = isinstance(contact, str) and (MAILBOX.match(contact) is not None or PHONE.match(contact) is not None)
    report.check(ok, path, f"{where}: contact {contact!r} is an office mailbox or phone number")


def check_lists(fed: Federation, report: Report) -> None:
    for dept, (path, lst) in fed.lists.items():
        def run(dept: str = dept, path: Path = path, lst: dict[str, Any] = lst) -> None:
            report.check(path.stem == dept, path, f"file is named after the department ({dept}.json)")
            own = {rid for rid, (_, e) in fed.catalog.items() if e.get("provider") == dept}
            listed = [r.get("resource") for r in objs(lst.get("resources"))]
            report.check(not duplicates(listed), path, f"lists each resource once (repeated: {duplicates(listed)})")
            missing = sorted(own - set(listed))
            report.check(not missing, path, f"covers every resource the department provides (missing: {missing})")
            for resp in objs(lst.get("resources")):
                rid = resp.get("resource")
                entry = fed.entry(rid)
                if not report.check(entry is not None, path, f"resources: {rid!r} is in the catalog"):
                    continue
                report.check(entry.get("provider") == dept, path,
                             f"resources: {rid} is provided by {dept} (provider is {entry.get('provider')!r})")
                conditional_items = [i.get("name") for i in objs(entry.get("items"))
                                     if sharing_type(i.get("sharing")) == "conditional"]
                if sharing_type(entry.get("sharing")) == "conditional":
                    report.check(isinstance(resp.get("approver"), dict), path,
                                 f"resources: conditional resource {rid} has an approver")
                elif conditional_items:
                    report.check(isinstance(resp.get("approver"), dict), path,
                                 f"resources: {rid} has conditional items ({', '.join(map(str, conditional_items))}), so it has an approver")
                cycle, expected = obj(resp.get("maintainer")).get("updateCycle"), entry.get("updateCycle")
                report.check(cycle == expected, path,
                             f"resources: {rid}: the maintainer's updateCycle {cycle!r} equals the entry's {expected!r}")
                for role in ("provider", "approver", "maintainer", "supervisor"):
                    if isinstance(resp.get(role), dict):
                        check_contact(report, path, resp[role], f"resources: {rid}: {role}")
            negative = {rid: e for rid, (_, e) in fed.catalog.items()
                        if e.get("provider") == dept and sharing_type(e.get("sharing")) == "none"}
            named = [n.get("resource") for n in objs(lst.get("negativeList"))]
            report.check(not duplicates(named), path, f"negativeList names each resource once (repeated: {duplicates(named)})")
            missing = sorted(set(negative) - set(named))
            report.check(not missing, path, f"negativeList names every 'none' resource of the department (missing: {missing})")
            for item in objs(lst.get("negativeList")):
                rid = item.get("resource")
                if not report.check(rid in negative, path, f"negativeList: {rid!r} is one of the department's 'none' resources"):
                    continue
                report.check(item.get("basis") == obj(negative[rid].get("sharing")).get("basis"), path,
                             f"negativeList: {rid}: the basis is the catalog entry's sharing basis")
            for need in objs(lst.get("needs")):
                rid, purpose = need.get("resource"), need.get("purpose")
                entry = fed.entry(rid)
                if not report.check(entry is not None, path, f"needs: {rid!r} is in the catalog"):
                    continue
                report.check(entry.get("provider") != dept, path, f"needs: {rid} belongs to another department")
                report.check(sharing_type(entry.get("sharing")) != "none", path, f"needs: {rid} is shareable (not 'none')")
                report.check(purpose in arr(entry.get("purposes")), path, f"needs: {rid} allows purpose {purpose!r}")
                check_registered(fed, report, path, purpose, f"needs: {rid}")
        report.guard(path, run)


def check_calendars(fed: Federation, report: Report) -> None:
    for path, calendar in fed.calendars:
        def run(path: Path = path, calendar: dict[str, Any] = calendar) -> None:
            start, end = day(calendar.get("from")), day(calendar.get("to"))
            if not report.check(start is not None and end is not None and start <= end, path,
                                f"from {calendar.get('from')!r} and to {calendar.get('to')!r} are dates, from <= to"):
                return
            weekend = arr(calendar.get("weekend"))
            report.check(not duplicates(weekend), path, f"weekend days are unique (repeated: {duplicates(weekend)})")
            lists = {"holidays": objs(calendar.get("holidays")), "workingDays": objs(calendar.get("workingDays"))}
            for key, days in lists.items():
                dates = [d.get("date") for d in days]
                report.check(not duplicates(dates), path, f"{key}: no date is listed twice (repeated: {duplicates(dates)})")
                outside = [d for d in dates if day(d) is None or not start <= day(d) <= end]
                report.check(not outside, path, f"{key}: every date is a valid date within [from, to] (not: {outside})")
            both = sorted({d.get("date") for d in lists["holidays"]} & {d.get("date") for d in lists["workingDays"]})
            report.check(not both, path, f"no date is both a holiday and a working day (both: {both})")
            weekday_work = [d.get("date") for d in lists["workingDays"]
                            if day(d.get("date")) and WEEKDAYS[day(d.get("date")).weekday()] not in weekend]
            report.check(not weekday_work, path,
                         f"adjusted working days fall on weekend days (already working days: {weekday_work})")
        report.guard(path, run)


def check_fields(fed: Federation, report: Report, path: Path, entry: dict[str, Any], fields: list[Any], where: str) -> None:
    report.check(bool(fields) and not duplicates(fields), path,
                 f"{where}: names at least one field, each once (repeated: {duplicates(fields)})")
    for field in fields:
        item = Federation.item(entry, field) if isinstance(field, str) else None
        if not report.check(item is not None, path, f"{where}: field {field!r} exists in {entry.get('id')}"):
            continue
        report.check(fed.field_sharing(entry, item) != "none", path, f"{where}: field {field!r} is shareable (not 'none')")


def check_consents(fed: Federation, report: Report) -> None:
    ids = [c.get("id") for _, c in fed.consents]
    members = set(fed.lists)
    for path, consent in fed.consents:
        def run(path: Path = path, consent: dict[str, Any] = consent) -> None:
            cid = consent.get("id")
            report.check(ids.count(cid) == 1, path, f"consent id {cid!r} is unique")
            report.check(path.stem == cid, path, f"file is named after the consent id ({cid}.json)")
            subject = consent.get("subject")
            report.check(isinstance(subject, str) and RESIDENT_ID.match(subject) is None, path,
                         "the subject is a pseudonym, not a resident identity number")
            report.check("purposes" not in consent, path, "names one purpose, not a 'purposes' array (bundled consent)")
            purpose = consent.get("purpose")
            if not report.check(isinstance(purpose, str), path, "'purpose' is a single purpose code"):
                return
            check_registered(fed, report, path, purpose, "purpose")
            report.check(consent.get("controller") in members, path,
                         f"controller {consent.get('controller')!r} is a federation member")
            recipients = arr(consent.get("recipients"))
            report.check(bool(recipients) and not duplicates(recipients), path, "has unique recipients")
            for recipient in recipients:
                report.check(recipient in members, path, f"recipient {recipient!r} is a federation member")
            start, expiry = timestamp(consent.get("start")), timestamp(consent.get("expiry"))
            given = timestamp(obj(consent.get("given")).get("at"))
            report.check(start is not None and expiry is not None and start < expiry, path, "start < expiry")
            report.check(given is not None and expiry is not None and given <= expiry, path, "given.at <= expiry")
            matched = fed.limits(purpose)
            if report.check(matched is not None, path, f"limits apply to purpose {purpose!r} (a code, a prefix or '*')"):
                code, limits = matched
                report.check("consent" in arr(limits.get("legalBases")), path,
                             f"the limits of {code!r} admit the legal basis 'consent'")
                life, most = consent.get("dataLifeDays"), limits.get("maxDataLifeDays")
                report.check(isinstance(life, int) and isinstance(most, int) and life <= most, path,
                             f"dataLifeDays {life!r} is within the maxDataLifeDays {most!r} of {code!r}")
            scope = objs(consent.get("scope"))
            resources = [s.get("resource") for s in scope]
            report.check(bool(scope) and not duplicates(resources), path,
                         f"scope names each resource once (repeated: {duplicates(resources)})")
            for entry_scope in scope:
                rid = entry_scope.get("resource")
                entry = fed.entry(rid)
                if not report.check(entry is not None, path, f"scope: {rid!r} is in the catalog"):
                    continue
                report.check(sharing_type(entry.get("sharing")) != "none", path, f"scope: {rid} is shareable (not 'none')")
                report.check(purpose in arr(entry.get("purposes")), path, f"scope: {rid} allows purpose {purpose!r}")
                check_fields(fed, report, path, entry, arr(entry_scope.get("fields")), f"scope: {rid}")
        report.guard(path, run)


def check_agreements(fed: Federation, report: Report) -> None:
    ids = [a.get("id") for _, a in fed.agreements]
    for path, agreement in fed.agreements:
        def run(path: Path = path, agreement: dict[str, Any] = agreement) -> None:
            aid = agreement.get("id")
            report.check(ids.count(aid) == 1, path, f"agreement id {aid!r} is unique")
            report.check(path.stem == aid, path, f"file is named after the agreement id ({aid}.json)")
            requester, rid, purpose = agreement.get("requester"), agreement.get("resource"), agreement.get("purpose")
            report.check(requester in fed.lists, path, f"requester {requester!r} is a federation member")
            entry = fed.entry(rid)
            if not report.check(entry is not None, path, f"resource {rid!r} is in the catalog"):
                return
            provider = entry.get("provider")
            report.check(requester != provider, path, "the requester is not the resource's provider")
            fields = arr(agreement.get("fields"))
            check_fields(fed, report, path, entry, fields, "fields")
            conditional_fields = [f for f in fields if isinstance(f, str) and Federation.item(entry, f) is not None
                                  and fed.field_sharing(entry, Federation.item(entry, f)) == "conditional"]
            report.check(sharing_type(entry.get("sharing")) == "conditional" or bool(conditional_fields), path,
                         f"{rid} is conditional, or the fields asked for include a conditional item (else no agreement is needed)")
            report.check(purpose in arr(entry.get("purposes")), path, f"{rid} allows purpose {purpose!r}")
            check_registered(fed, report, path, purpose, "purpose")
            basis = agreement.get("legalBasis")
            matched = fed.limits(purpose) if isinstance(purpose, str) else None
            if report.check(matched is not None, path, f"limits apply to purpose {purpose!r} (a code, a prefix or '*')"):
                code, limits = matched
                report.check(basis in arr(limits.get("legalBases")), path,
                             f"the limits of {code!r} admit the legal basis {basis!r}")
                every, frequency = obj(agreement.get("subscription")).get("every"), obj(limits.get("frequency"))
                if every in EVERY_DAYS and frequency.get("per") in PER_DAYS and isinstance(frequency.get("count"), int):
                    allowed_per_day = Fraction(frequency["count"]) / PER_DAYS[frequency["per"]]
                    report.check(1 / EVERY_DAYS[every] <= allowed_per_day, path,
                                 f"a {every} subscription stays within the frequency limit of {code!r} "
                                 f"({frequency['count']} per {frequency['per']})")
            if basis == "statutory-duty":
                report.check(text(agreement.get("basisReference")), path, "statutory-duty names its basisReference")
            start, until = timestamp(agreement.get("validFrom")), timestamp(agreement.get("validUntil"))
            report.check(start is not None and until is not None and start < until, path, "validFrom < validUntil")
            lst = obj(fed.lists.get(requester, (None, {}))[1])
            report.check(any(n.get("resource") == rid and n.get("purpose") == purpose for n in objs(lst.get("needs"))), path,
                         f"the requester's needs list names {rid} for {purpose!r}")
            check_history(fed, report, path, agreement, entry)
        report.guard(path, run)


def check_history(fed: Federation, report: Report, path: Path, agreement: dict[str, Any], entry: dict[str, Any]) -> None:
    history = objs(agreement.get("history"))
    states = [h.get("state") for h in history]
    if not report.check(bool(history) and states[0] == "applied", path, "history starts with 'applied'"):
        return
    report.check(states[-1] == agreement.get("state"), path,
                 f"the last history entry's state {states[-1]!r} equals state {agreement.get('state')!r}")
    for before, after in zip(states, states[1:]):
        report.check(after in TRANSITIONS.get(before, set()), path, f"history: the transition {before} -> {after} is allowed")
    times = [timestamp(h.get("at")) for h in history]
    report.check(all(t is not None for t in times) and all(a <= b for a, b in zip(times, times[1:])), path,
                 "history timestamps never go back in time")
    for h in history:
        if h.get("state") in ("rejected", "revoked"):
            report.check(text(h.get("reason")), path, f"history: '{h.get('state')}' gives a reason")
    requester, provider = agreement.get("requester"), entry.get("provider")
    resp = obj(fed.responsibility(entry.get("id")))
    approver, supervisor = obj(resp.get("approver")), obj(resp.get("supervisor"))
    deciders = {provider, approver.get("role")} - {None}
    for h in history[1:]:
        state, by = h.get("state"), h.get("by")
        if state in ("approved", "rejected"):
            report.check(by in deciders, path, f"history: {state} by {by!r}, the provider or its approver ({sorted(deciders)})")
        elif state == "withdrawn":
            report.check(by == requester, path, f"history: withdrawn by {by!r}, the requester {requester!r}")
        elif state == "revoked":
            allowed = deciders | ({supervisor["role"]} if "role" in supervisor else set())
            report.check(by in allowed, path, f"history: revoked by {by!r}, the provider, approver or supervisor ({sorted(allowed)})")
    if len(history) >= 2 and history[1].get("state") in ("approved", "rejected") and times[0] and times[1]:
        days = approver.get("replyWithinWorkingDays", 10)
        applied = times[0].astimezone(CHINA_STANDARD_TIME).date()
        replied = times[1].astimezone(CHINA_STANDARD_TIME).date()
        deadline = fed.deadline(applied, days) if isinstance(days, int) else None
        if report.check(deadline is not None, path, f"a calendar covers the {days} working days after {applied}"):
            report.check(replied <= deadline, path,
                         f"the reply on {replied} comes within {days} working days of the application on {applied} "
                         f"(deadline {deadline})")


def check_record(report: Report, path: Path, where: str, entry: dict[str, Any], record: dict[str, Any]) -> str | None:
    """The rules of ProviderRecord.read for one record; its key if it has one."""
    rid = entry.get("id")
    extra = sorted(set(record) - {"subject", "fields"})
    report.check(not extra, path, f"{where}has nothing but 'subject' and 'fields' (also: {extra}) [records.unknown-member]")
    subject = record.get("subject")
    if "subject" in record:
        report.check(is_pseudonym(subject), path,
                     f"{where}the subject {subject!r} is a pseudonym, not an ID or phone number [records.bad-subject]")
    fields = record.get("fields")
    if not report.check(isinstance(fields, dict), path, f"{where}has 'fields', an object [records.fields-required]"):
        return None
    items = {i.get("name"): i for i in objs(entry.get("items"))}
    unknown = sorted(name for name in fields if name not in items)
    report.check(not unknown, path, f"{where}every field is a data item of {rid} (not: {unknown}) [records.unknown-field]")
    wrong = [f"{name} ({items[name].get('type')})" for name, value in fields.items()
             if name in items and not accepts(items[name].get("type"), value)]
    report.check(not wrong, path, f"{where}every value is of its item's type (not: {wrong}) [records.bad-value]")
    key = record_key(entry, fields)
    key_item = next((i.get("name") for i in objs(entry.get("items")) if i.get("primaryKey") is True), None)
    report.check(key is not None, path, f"{where}has its primary key {key_item!r} [records.key-required]")
    if "subject" in items and "subject" in fields:
        report.check(fields["subject"] == subject, path,
                     f"{where}the 'subject' field {fields['subject']!r} equals the record's subject {subject!r}")
    id_like = sorted(name for name, value in fields.items()
                     if isinstance(value, str) and RESIDENT_ID_INSIDE.search(value))
    report.check(not id_like, path,
                 f"{where}no value looks like a resident identity number (in: {id_like}); examples carry placeholders")
    return key


def check_records(fed: Federation, report: Report) -> None:
    for rid, (path, records) in fed.records.items():
        def run(rid: str = rid, path: Path = path, records: list[tuple[int, dict[str, Any]]] = records) -> None:
            entry = fed.entry(rid) or {}
            keys = [check_record(report, path, f"line {number}: ", entry, record) for number, record in records]
            dups = duplicates(key for key in keys if key is not None)
            report.check(not dups, path, f"record keys are unique in the file (repeated: {dups})")
        report.guard(path, run)
    for path, record in fed.record_examples:
        def run(path: Path = path, record: dict[str, Any] = record) -> None:
            rid = fed.resource_named(path.stem, labelled=True)
            if report.check(rid is not None, path,
                            "is named after a catalog resource (<resource id with '/' as '.'>[.<label>].json)"):
                check_record(report, path, "", fed.entry(rid) or {}, record)
        report.guard(path, run)
    for path, consent in fed.consents:
        def run(path: Path = path, consent: dict[str, Any] = consent) -> None:
            subject = consent.get("subject")
            for scope in objs(consent.get("scope")):
                rid = scope.get("resource")
                if rid not in fed.records:
                    continue
                records_path, records = fed.records[rid]
                count = sum(1 for _, record in records if record.get("subject") == subject)
                report.check(count > 0, path,
                             f"the subject {subject!r} has at least one record in {report.name(records_path)}, "
                             f"so a request under this consent finds it")
        report.guard(path, run)


# ---------------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2],
                        help="repository root (default: two levels above this script)")
    parser.add_argument("--examples", type=Path, default=None,
                        help="folder holding catalog-entry/, responsibility-list/, ... (default: ROOT/Schemas/examples)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print passed checks too")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    examples: Path = (args.examples or root / "Schemas" / "examples").resolve()
    report = Report(root, args.verbose)
    fed = load(examples, report)
    check_registry(fed, report, examples)
    check_catalog(fed, report)
    check_lists(fed, report)
    check_calendars(fed, report)
    check_consents(fed, report)
    check_agreements(fed, report)
    check_records(fed, report)
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
