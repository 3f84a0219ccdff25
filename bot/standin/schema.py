"""Block Kit's JSON Schema, compiled once, and its verdicts as short ``path: message`` problems.

The schema (``schemas/slack-block-kit.schema.json``, draft 2020-12) is third-party and advisory
(``schemas/README.md``): a disagreement with Slack's real behaviour is fixed in
``bot.standin.blockkit``, never by editing the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import extend, validator_for
from referencing import Registry, Resource

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "slack-block-kit.schema.json"

_SHOWN_PROBLEMS = 8  # problems listed in one AssertionError
_SHOWN_CHARS = 160  # longest excerpt of a problem message


# ---------------------------------------------------------------------------------------------
# Validators, built once


_BY_TYPE = "x-oneOf-by-type"  # our own keyword; see _type_discriminated


def _type_discriminated(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema, with its ``type``-discriminated ``oneOf`` unions marked for fast dispatch.

    A ``oneOf`` over ``$ref``s to object definitions that each require ``type`` and pin it with a
    distinct ``const`` is valid exactly when the instance is an object whose ``type`` is one of
    those consts and the one definition with that const accepts it. jsonschema evaluates every
    branch of a ``oneOf`` in full (21 block types, 18 section accessories, …) — most of the cost of
    a validation — and then reports "not valid under any of the given schemas". Such a ``oneOf``
    is replaced by ``{"x-oneOf-by-type": {const: branch, …}}``, which :func:`_one_of_by_type`
    evaluates by looking the branch up: same verdicts, several times faster, and the errors come
    straight from the matching definition. Other unions are left alone; the file is not changed.
    """
    defs = schema["$defs"]

    def discriminant(branch: Any) -> Any:
        ref = branch.get("$ref", "") if isinstance(branch, dict) and len(branch) == 1 else ""
        target = defs.get(ref.removeprefix("#/$defs/")) if ref.startswith("#/$defs/") else None
        if (
            not isinstance(target, dict)
            or target.get("type") != "object"
            or "type" not in target.get("required", ())
            or not isinstance(target.get("properties", {}).get("type", {}).get("const"), str)
        ):
            return None
        return target["properties"]["type"]["const"]

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: rewrite(value) for key, value in node.items()}
        branches = node.get("oneOf")
        if isinstance(branches, list) and len(branches) > 1:
            consts = [discriminant(b) for b in branches]
            if None not in consts and len(set(consts)) == len(consts):
                del node["oneOf"]
                node[_BY_TYPE] = dict(zip(consts, branches, strict=True))
        return node

    return rewrite(schema)


def _one_of_by_type(validator: Validator, branches: dict[str, Any], instance: Any, schema: Any):
    if not validator.is_type(instance, "object"):
        yield ValidationError(f"{short(repr(instance))} is not of type 'object'")
        return
    if "type" not in instance:
        yield ValidationError(f"'type' is a required property (one of: {', '.join(sorted(branches))})")
        return
    kind = instance["type"]
    branch = branches.get(kind) if isinstance(kind, str) else None
    if branch is None:
        yield ValidationError(
            f"unknown type {short(repr(kind))} here; expected one of: {', '.join(sorted(branches))}",
            path=("type",),
        )
        return
    yield from validator.descend(instance, branch, schema_path=kind)


@cache
def validators(fast: bool = True) -> dict[str, Validator]:
    """Validators for ``blocks``, ``modal`` and ``home``; ``fast=False`` uses the schema as it is."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = validator_for(schema)  # the schema's own $schema: draft 2020-12
    cls.check_schema(schema)
    if fast:
        schema = _type_discriminated(schema)
        cls = extend(cls, {_BY_TYPE: _one_of_by_type})
    # In draft 2020-12 a "$ref" next to other keywords is applied *in addition to* them, so
    # `{**schema, "$ref": "#/$defs/modal_view"}` would still demand the top-level "type": "array"
    # and reject every view. Instead, register the schema under its $id and point a wrapper at
    # the definition; relative "#/$defs/…" references inside it then resolve against that $id.
    base = schema["$id"]
    registry = Registry().with_resource(base, Resource.from_contents(schema))

    def pointing_at(definition: str) -> Validator:
        return cls({"$schema": schema["$schema"], "$ref": f"{base}#/$defs/{definition}"}, registry=registry)

    return {
        "blocks": cls(schema, registry=registry),
        "modal": pointing_at("modal_view"),
        "home": pointing_at("home_view"),
    }


# ---------------------------------------------------------------------------------------------
# Problems and how they are reported


def _path(prefix: str, parts: Iterable[Any]) -> str:
    out = prefix
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def short(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _expected_types(error: ValidationError) -> list[str]:
    """The ``type`` values ``error`` says it wanted, if it is a complaint about ``type``."""
    if list(error.relative_path) != ["type"]:
        return []
    if error.validator == "const":
        return [str(error.validator_value)]
    if error.validator == _BY_TYPE:
        return list(error.validator_value)
    return []


def _is_type_miss(errors: list[ValidationError]) -> bool:
    """A oneOf/anyOf branch that failed because the object's ``type`` is another one."""
    return any(_expected_types(e) for e in errors)


def _leaves(error: ValidationError) -> Iterator[ValidationError | tuple[ValidationError, str]]:
    """The errors worth showing for ``error``.

    Blocks, elements and text objects are ``oneOf`` unions discriminated by ``type``; jsonschema
    reports a failure as "not valid under any of the given schemas" with every branch's errors
    underneath. Keep only the branches whose ``type`` matched: one branch left → its own errors
    (recursively); none left → the type itself is unknown here.
    """
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    matching = [subs for subs in branches.values() if not _is_type_miss(subs)]
    if len(matching) == 1:
        for sub in matching[0]:
            yield from _leaves(sub)
    elif not matching and isinstance(error.instance, dict) and "type" in error.instance:
        expected = sorted({kind for subs in branches.values() for e in subs for kind in _expected_types(e)})
        kind = short(repr(error.instance["type"]))
        yield error, f"unknown type {kind} here; expected one of: {', '.join(expected)}"
    else:
        rule = error.schema.get("description") if isinstance(error.schema, dict) else None
        best = best_match(error.context)
        closest = f"closest: {_describe(best)}" if best else ""
        what = f"matches none of the {error.validator} alternatives"
        yield error, "; ".join(part for part in ((rule or what).rstrip("."), closest) if part)


def _describe(error: ValidationError) -> str:
    """jsonschema's message, without quoting a 3000-character string or a 100-block list whole."""
    value, instance = error.validator_value, error.instance
    if error.validator == "maxLength" and isinstance(instance, str):
        return too_long(instance, value)
    if error.validator == "maxItems" and isinstance(instance, list):
        return f"{len(instance)} items; at most {value}"
    if error.validator == "minItems" and isinstance(instance, list):
        return f"{len(instance)} items; at least {value}"
    if error.validator == _BY_TYPE:
        return error.message  # already short
    return short(error.message)


def schema_problems(validator: Validator, instance: Any, prefix: str) -> list[str]:
    problems: list[str] = []
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        for leaf in _leaves(error):
            err, message = leaf if isinstance(leaf, tuple) else (leaf, _describe(leaf))
            problems.append(f"{_path(prefix, err.absolute_path)}: {message}")
    return problems


def merge(from_schema: list[str], limit_problems: list[str]) -> list[str]:
    """Both lists, minus schema problems at a path a (more specific) limit problem already names."""
    limited = {p.partition(": ")[0] for p in limit_problems}
    return [p for p in from_schema if p.partition(": ")[0] not in limited] + limit_problems


def fail(what: str, problems: list[str]) -> None:
    if not problems:
        return
    shown = problems[:_SHOWN_PROBLEMS]
    more = len(problems) - len(shown)
    lines = [f"{what}: {len(problems)} problem(s)", *(f"  - {p}" for p in shown)]
    if more:
        lines.append(f"  … and {more} more")
    raise AssertionError("\n".join(lines))


def too_long(value: str, limit: int) -> str:
    excerpt = repr(value) if len(value) <= 40 else repr(value[:40]) + "…"
    return f"{excerpt} is too long ({len(value)} characters; at most {limit})"
