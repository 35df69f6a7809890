"""Google's published definitions, read from ../shared/reference/google beside the repository,
and where every reference file of the suite is found (`reference_file`).

Where that folder is absent every conformance test skips, saying so; the sandbox itself never
reads it (its rules are written from these files, with provenance in sandbox/README.md).
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Every reference file of the suite: ../shared/reference, or the folder SHARED_REFERENCE names
# (a checkout elsewhere, such as a git worktree).
REFERENCE = Path(os.environ.get("SHARED_REFERENCE") or ROOT.parent / "shared" / "reference")
GOOGLE = REFERENCE / "google"


def reference_file(relative: str) -> Path:
    """A reference file by its path under the reference folder, or a skip saying it is absent."""
    found = REFERENCE / relative
    if not found.is_file():
        pytest.skip(f"reference file {found} is absent (../shared/reference or SHARED_REFERENCE)")
    return found


def path(name: str) -> Path:
    return reference_file(f"google/{name}")


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
