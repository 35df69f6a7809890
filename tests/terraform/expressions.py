"""Every expression the module writes, in a form `terraform console` evaluates offline.

A resource cannot be evaluated without its provider, but the values Terraform interpolates into
its arguments can: they are variables, locals and other resources' attributes. This module
reads every `.tf` file (python-hcl2 keeps each expression's source text), turns every local,
output and resource or data argument into a local of its own, and stands in for what only
exists at apply time: another resource's attribute is a known string, a resource collection
an empty map, `each`, `count` and dynamic iterators sample values. What remains is what the
variables decide, which is where a null in a template or a wrong type fails a plan.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2

# Arguments Terraform reads before or beside the values: not expressions of a resource's state.
META = {"depends_on", "lifecycle", "provider", "for_each", "__comments__", "__is_block__"}
RESOURCE = re.compile(
    r"(?<![\w.])(?:data\.[a-z0-9_]+|google_[a-z0-9_]+)\.[a-z0-9_]+"
    r"(?P<tail>(?:\[[^\]]*\]|\.[a-z0-9_]+)*)"
)
SAMPLES = [
    (re.compile(r"(?<![\w.])each\.key\b"), '"key"'),
    (re.compile(r"(?<![\w.])each\.value(?:\.[a-z0-9_]+)*"), '"value"'),
    (re.compile(r"(?<![\w.])count\.index\b"), "0"),
    (re.compile(r"(?<![\w.])path\.(?:module|root)\b"), '"."'),
]


def expression(value: Any) -> str:
    """HCL source for a value as python-hcl2 (v8) gives it."""
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return value  # a quoted template, quotes included
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)  # null, true, false and numbers read alike in HCL
    if isinstance(value, list):
        return "[" + ", ".join(expression(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(k.strip(chr(34)))} = {expression(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"unexpected value {value!r}")


def sample(tail: str) -> str:
    """A stand-in for a resource reference: its collection, a splat of it, or an attribute."""
    if not tail:
        return "{}"
    return '["known"]' if "[*]" in tail else '"known"'


def offline(source: str, iterators: set[str]) -> str:
    """The expression with apply-time values replaced by samples."""
    source = RESOURCE.sub(lambda m: sample(m.group("tail")), source)
    for pattern, stand_in in SAMPLES:
        source = pattern.sub(stand_in, source)
    for name in iterators:
        source = re.sub(rf"(?<![\w.]){name}\.(?:value|key)\b", '"value"', source)
    return source


def arguments(body: dict[str, Any], address: str) -> Iterator[tuple[str, Any]]:
    """(address, value) of every argument in a block and its nested blocks."""
    for key, value in body.items():
        if key in META:
            continue
        if key == "dynamic":
            for block in value:
                for name, inner in block.items():
                    yield from arguments(inner, f"{address}.dynamic.{name.strip(chr(34))}")
            continue
        blocks = isinstance(value, list) and value and isinstance(value[0], dict)
        if blocks and all(v.get("__is_block__") for v in value):
            for index, block in enumerate(value):
                yield from arguments(block, f"{address}.{key}[{index}]")
            continue
        yield f"{address}.{key}", value


def module_expressions(
    module: Path, skip: set[str], defined: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The module's locals (but those of the files in `skip`, copied as they are, and those
    `defined` otherwise) and every other argument, by address, each as offline HCL source."""
    locals_: dict[str, str] = {}
    others: dict[str, str] = {}
    for path in sorted(module.glob("*.tf")):
        text = path.read_text()
        iterators = set(re.findall(r'dynamic\s+"([a-z0-9_]+)"', text))
        parsed = hcl2.loads(text)
        for block in parsed.get("locals", []):
            for name, value in block.items():
                if name not in META | defined and path.name not in skip:
                    locals_[name] = offline(expression(value), iterators)
        for block in parsed.get("output", []):
            for name, body in block.items():
                for address, value in arguments(body, f"output.{name.strip(chr(34))}"):
                    others[address] = offline(expression(value), iterators)
        for kind in ("resource", "data"):
            for block in parsed.get(kind, []):
                for rtype, named in block.items():
                    for rname, body in named.items():
                        where = f"{kind}.{rtype.strip(chr(34))}.{rname.strip(chr(34))}"
                        for address, value in arguments(body, where):
                            others[address] = offline(expression(value), iterators)
    return locals_, others


def evaluation_file(
    module: Path, skip: set[str], defined: set[str], apply_time: set[str]
) -> tuple[str, list[str]]:
    """A provider-free .tf file defining the module's locals and one local per argument
    (`e0`, `e1`, ...) but those only apply time decides, and their addresses in that order."""
    locals_, others = module_expressions(module, skip, defined)
    unknown = apply_time - set(others)
    assert not unknown, f"no such arguments: {sorted(unknown)}"
    addresses = [a for a in others if a not in apply_time]
    lines = ["locals {"]
    lines += [f"  {name} = {source}" for name, source in locals_.items()]
    lines += [f"  e{i} = {others[a]}" for i, a in enumerate(addresses)]
    lines.append("}")
    return "\n".join(lines) + "\n", addresses
