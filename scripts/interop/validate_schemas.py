#!/usr/bin/env python3
"""Check the JSON Schemas in Schemas/ and validate their examples (convention: Schemas/README.md).

1. Every Schemas/*.schema.json must be a valid JSON Schema draft 2020-12.
2. Every file Schemas/examples/<stem>/*.json must validate against Schemas/<stem>.schema.json.
   Subfolders of Schemas/examples/<stem>/ (keys/, payloads/, ...) are not looked at.
   A folder Schemas/examples/<stem>/ without Schemas/<stem>.schema.json is an error, and so
   is a .json file directly in Schemas/examples/.
3. JSON Lines folders (JSON_LINES below): every line of every Schemas/examples/records/*.jsonl must
   validate against Schemas/record.schema.json. Such a file is UTF-8, ends with a newline and has no
   empty line; a file passes when all its lines do, and fails naming the first bad line (and how many
   more). A .json file in a JSON Lines folder is an error (single-record examples go in
   Schemas/examples/record/, which rule 2 covers).

Schemas may $ref each other by their $id. JSON files must be UTF-8 without duplicate keys.
Prints one line per file, then "N passed, M failed". Exit 0 if nothing failed, else 1.

Example: python3 scripts/interop/validate_schemas.py [--root /path/to/repo]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_SUFFIX = ".schema.json"
# Examples folders of JSON Lines files: folder -> the stem of the schema each line validates against.
JSON_LINES = {"records": "record"}


# The same strict readers as the cross-file checker (stdlib only): no duplicate keys, JSON Lines by line.
from check_federation import load_json, load_json_lines  # noqa: E402


def most_specific(error: ValidationError) -> ValidationError:
    """Descend into oneOf/anyOf: follow the branch with the fewest errors, as the likely intended one."""
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)
        fewest = min(branches.values(), key=len)
        error = min(fewest, key=lambda e: len(e.absolute_path) * -1)
    return error


def explain(error: ValidationError) -> str:
    """A message that names the rule without repeating the whole instance."""
    if error.validator == "not":
        rule = error.validator_value
        if isinstance(rule, dict) and list(rule.get("required", [])):
            return f"must not have {', '.join(repr(name) for name in rule['required'])}"
        return "matches a schema it must not match"
    if error.validator in ("oneOf", "anyOf"):
        return f"matches none of the {error.validator} alternatives"
    message = error.message
    shown = repr(error.instance)
    if message.startswith(shown) and len(shown) > 60:  # e.g. "'eyJ...' does not match '^...$'"
        size = f"{len(error.instance)} {'characters' if isinstance(error.instance, str) else 'items'}" \
            if isinstance(error.instance, (str, list, dict)) else type(error.instance).__name__
        message = f"the value ({size})" + message[len(shown):]
    return message if len(message) <= 200 else message[:197] + "..."


def describe(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


class Report:
    def __init__(self, root: Path):
        self.root = root
        self.passed = 0
        self.failed = 0

    def ok(self, path: Path, note: str = "") -> None:
        self.passed += 1
        print(f"PASS {path.relative_to(self.root)}{note}")

    def fail(self, path: Path, reason: str) -> None:
        self.failed += 1
        print(f"FAIL {path.relative_to(self.root)}: {reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2],
                        help="repository root (default: two levels above this script)")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    schemas_dir = root / "Schemas"
    examples_dir = schemas_dir / "examples"
    report = Report(root)

    # 1. the schemas themselves
    schemas: dict[str, Any] = {}  # stem -> schema, only the valid ones
    resources = []
    for path in sorted(schemas_dir.glob("*" + SCHEMA_SUFFIX)):
        stem = path.name[: -len(SCHEMA_SUFFIX)]
        try:
            schema = load_json(path)
            Draft202012Validator.check_schema(schema)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            report.fail(path, f"not readable JSON ({describe(error)})")
            continue
        except SchemaError as error:
            report.fail(path, f"not a valid draft 2020-12 schema: {error.message}")
            continue
        if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            report.fail(path, "$schema is not https://json-schema.org/draft/2020-12/schema")
            continue
        schemas[stem] = schema
        if "$id" in schema:
            resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)))
        report.ok(path)
    registry: Registry = Registry().with_resources(resources)

    # 2. the examples
    if examples_dir.is_dir():
        for entry in sorted(examples_dir.iterdir()):
            if entry.is_file():
                if entry.suffix == ".json":
                    report.fail(entry, "example not in a Schemas/examples/<stem>/ folder")
                continue
            if entry.name in JSON_LINES:
                validate_json_lines(entry, JSON_LINES[entry.name], schemas, schemas_dir, registry, report)
                continue
            stem = entry.name
            schema_path = schemas_dir / (stem + SCHEMA_SUFFIX)
            if not schema_path.is_file():
                report.fail(entry, f"no schema Schemas/{stem}{SCHEMA_SUFFIX} for this examples folder")
                continue
            files = sorted(p for p in entry.glob("*.json") if p.is_file())
            if stem not in schemas:
                for path in files:
                    report.fail(path, f"its schema Schemas/{stem}{SCHEMA_SUFFIX} is invalid")
                continue
            validator = Draft202012Validator(
                schemas[stem], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
            for path in files:
                try:
                    instance = load_json(path)
                except (OSError, UnicodeDecodeError, ValueError) as error:
                    report.fail(path, f"not readable JSON ({describe(error)})")
                    continue
                try:
                    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
                except Exception as error:  # e.g. an unresolvable $ref
                    report.fail(path, f"validation could not run ({type(error).__name__}: {describe(error)})")
                    continue
                if errors:
                    first = most_specific(errors[0])
                    where = "/" + "/".join(str(part) for part in first.absolute_path)
                    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                    report.fail(path, f"at {where}: {explain(first)}{more}")
                else:
                    report.ok(path, f" (against {schema_path.name})")

    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


def validate_json_lines(folder: Path, stem: str, schemas: dict[str, Any], schemas_dir: Path, registry: Registry,
                        report: Report) -> None:
    """Rule 3: each line of each <folder>/*.jsonl against Schemas/<stem>.schema.json."""
    schema_path = schemas_dir / (stem + SCHEMA_SUFFIX)
    for path in sorted(p for p in folder.glob("*.json") if p.is_file()):
        report.fail(path, f"a JSON Lines folder holds .jsonl files (one {stem} per line), not .json")
    files = sorted(p for p in folder.glob("*.jsonl") if p.is_file())
    if stem not in schemas:
        reason = "is invalid" if schema_path.is_file() else "is missing"
        for path in files or [folder]:
            report.fail(path, f"its schema Schemas/{stem}{SCHEMA_SUFFIX} {reason}")
        return
    validator = Draft202012Validator(schemas[stem], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for path in files:
        try:
            lines = load_json_lines(path)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            report.fail(path, f"not readable JSON Lines ({describe(error)})")
            continue
        bad: list[tuple[int, ValidationError, int]] = []
        try:
            for number, instance in lines:
                errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
                if errors:
                    bad.append((number, errors[0], len(errors)))
        except Exception as error:  # e.g. an unresolvable $ref
            report.fail(path, f"validation could not run ({type(error).__name__}: {describe(error)})")
            continue
        if bad:
            number, first, count = bad[0]
            first = most_specific(first)
            where = "/" + "/".join(str(part) for part in first.absolute_path)
            more = f" (and {count - 1} more on that line)" if count > 1 else ""
            others = {1: "", 2: "; 1 more line fails"}.get(len(bad), f"; {len(bad) - 1} more lines fail")
            report.fail(path, f"line {number} at {where}: {explain(first)}{more}{others}")
        else:
            report.ok(path, f" ({len(lines)} lines, each against {schema_path.name})")


if __name__ == "__main__":
    sys.exit(main())
