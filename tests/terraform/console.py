"""Evaluate the module's own expressions with `terraform console`, offline.

fleets.tf and pacing.tf hold every local computed from the variables alone (the form,
FLEET_SYNC_CONFIG, the Logging sinks' filter and keys, the grants, the write budget and the
timeout); copied next to variables.tf into a module with no provider, they evaluate without a
download. The variables' validation rules run too: an invalid
value comes back as the diagnostics Terraform prints, which is how the tests show them failing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "terraform"
INVALID = "Invalid value for variable"
# The files that hold only variables and locals computed from them: copied as they are.
PROVIDER_FREE = ("variables.tf", "fleets.tf", "pacing.tf")


class Console:
    """One module directory built from the module's files, evaluated with one set of values."""

    def __init__(self, directory: Path, values: dict[str, Any], *extra: str) -> None:
        terraform = shutil.which("terraform")
        if terraform is None:
            pytest.skip("no terraform binary here: the module's expressions were not evaluated")
        self.terraform = terraform
        self.directory = directory
        for name in PROVIDER_FREE:
            shutil.copy(MODULE / name, directory / name)
        function_dir = json.dumps(str(ROOT / "function"))
        (directory / "dir.tf").write_text(f"locals {{\n  function_dir = {function_dir}\n}}\n")
        for index, text in enumerate(extra):
            (directory / f"extra{index}.tf").write_text(text)
        (directory / "values.auto.tfvars.json").write_text(json.dumps(values))

    def run(self, expression: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.terraform, "console", "-no-color"],
            input=f"jsonencode({expression})\n",
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def value(self, expression: str) -> Any:
        """The expression's value; fails the test on any error, a failed validation included."""
        result = self.run(expression)
        assert "Error" not in result.stderr, result.stderr
        assert result.returncode == 0, result.stderr
        return json.loads(json.loads(result.stdout.strip()))

    def diagnostics(self) -> str:
        """What Terraform says about these values, one line with single spaces ("" when valid)."""
        result = self.run("var.fleets")
        lines = (line.strip().lstrip("│").strip() for line in result.stderr.splitlines())
        text = " ".join(line for line in lines if line)
        # Warnings about a missing CLI configuration file are the machine's, not the module's.
        return text if "Error" in text else ""
