"""Google's published definitions, read from ../shared/reference/google beside the repository.

Where that folder is absent every conformance test skips, saying so; the sandbox itself never
reads it (its rules are written from these files, with provenance in sandbox/README.md).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOGLE = ROOT.parent / "shared" / "reference" / "google"


def path(name: str) -> Path:
    found = GOOGLE / name
    if not found.is_file():
        pytest.skip(f"reference file {found} is absent (../shared/reference/google)")
    return found


@functools.cache
def load(name: str) -> Any:
    return json.loads(path(name).read_text())


@functools.cache
def rpc_codes() -> dict[str, tuple[int, int | None]]:
    """google.rpc.Code (code.proto): each name's number and the HTTP status its "HTTP
    Mapping" comment gives it (None for OK)."""
    text = path("code.proto").read_text()
    codes: dict[str, tuple[int, int | None]] = {}
    mapping: int | None = None
    for line in text.splitlines():
        if found := re.search(r"HTTP Mapping: (\d{3})", line):
            mapping = int(found[1])
        elif found := re.fullmatch(r"\s*([A-Z_]+) = (\d+);", line):
            codes[found[1]] = (int(found[2]), mapping)
            mapping = None
    return codes
