"""Every Terraform block here against the pinned providers' schemas, and the check itself
shown to fail on a misspelt argument, a misplaced block and a missing required argument."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.terraform.schema_check import check_directory, check_text
from tests.terraform.schemas import PINS, provider_schema

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "terraform"

BUCKET = """
resource "google_storage_bucket" "source" {
  name     = "b"
  location = "us-central1"
  %s
}
"""


def test_every_block_under_terraform_matches_its_provider_schema() -> None:
    count, errors = check_directory(MODULE)
    assert count >= 20  # the module and the example, not an empty walk
    assert errors == []


@pytest.mark.parametrize("name", sorted(PINS))
def test_each_schema_is_read_from_its_pinned_release(name: str) -> None:
    schema = provider_schema(name)
    assert schema.resources or schema.data_sources
    assert re.fullmatch(r"\d+\.\d+\.\d+", schema.pin.provider_version)


def _satisfies(version: str, constraint: str) -> bool:
    def key(text: str) -> tuple[int, ...]:
        return tuple(int(p) for p in text.split("."))

    ops = {
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        ">": lambda a, b: a > b,
        "<=": lambda a, b: a <= b,
        "=": lambda a, b: a == b,
    }
    terms = [re.fullmatch(r"\s*(>=|<=|>|<|=)\s*([\d.]+)\s*", t) for t in constraint.split(",")]
    assert all(terms), constraint
    return all(ops[t[1]](key(version), key(t[2])) for t in terms if t)


@pytest.mark.parametrize("versions", sorted(MODULE.rglob("versions.tf")), ids=str)
def test_the_checked_releases_are_ones_the_constraints_allow(versions: Path) -> None:
    text = versions.read_text()
    for name, constraint in re.findall(
        r'(\w+)\s*=\s*\{\s*source\s*=\s*"hashicorp/\w+"\s*version\s*=\s*"([^"]+)"', text
    ):
        assert _satisfies(PINS[name].provider_version, constraint), (name, constraint)


def test_google_7_and_8_are_both_allowed() -> None:
    for directory in (MODULE, *sorted((MODULE / "examples").iterdir())):
        text = (directory / "versions.tf").read_text()
        constraint = re.search(r'google\s*=\s*\{[^}]*version\s*=\s*"([^"]+)"', text)
        assert constraint, directory
        assert _satisfies("7.0.0", constraint[1]) and _satisfies("8.99.0", constraint[1])
        assert not _satisfies("9.0.0", constraint[1]) and not _satisfies("6.99.0", constraint[1])


# The check must fail where terraform validate would: shown on purpose.


def test_a_misspelt_argument_fails() -> None:
    errors = check_text(BUCKET % "uniform_bucket_acces = true", "bad.tf")
    assert errors == [
        "bad.tf: resource google_storage_bucket.source: unsupported argument or block "
        '"uniform_bucket_acces"'
    ]


def test_a_misspelt_nested_argument_fails() -> None:
    errors = check_text(BUCKET % "versioning {\n    enable = true\n  }", "bad.tf")
    assert errors == [
        "bad.tf: resource google_storage_bucket.source.versioning: unsupported argument or "
        'block "enable"',
        "bad.tf: resource google_storage_bucket.source.versioning: missing required argument "
        '"enabled"',
    ]


def test_a_misplaced_block_fails() -> None:
    # `condition` belongs inside `lifecycle_rule`, not at the top of the bucket.
    errors = check_text(BUCKET % "condition {\n    age = 3\n  }", "bad.tf")
    assert errors == [
        'bad.tf: resource google_storage_bucket.source: unsupported argument or block "condition"'
    ]


def test_a_block_written_as_an_argument_and_the_reverse_fail() -> None:
    errors = check_text(BUCKET % "versioning = { enabled = true }", "bad.tf")
    assert errors == [
        "bad.tf: resource google_storage_bucket.source.versioning: is a block; write "
        "`versioning { ... }`"
    ]
    errors = check_text(BUCKET % 'labels {\n    a = "b"\n  }', "bad.tf")
    assert errors == [
        "bad.tf: resource google_storage_bucket.source.labels: is an argument; write "
        "`labels = ...`, not a block"
    ]


def test_a_single_block_repeated_fails() -> None:
    errors = check_text(
        BUCKET % "versioning {\n enabled = true\n}\nversioning {\n enabled = true\n}", "bad.tf"
    )
    assert errors == [
        "bad.tf: resource google_storage_bucket.source.versioning: may appear at most once"
    ]


def test_a_missing_required_argument_fails() -> None:
    errors = check_text('resource "google_storage_bucket" "source" {\n  name = "b"\n}', "bad.tf")
    assert errors == [
        'bad.tf: resource google_storage_bucket.source: missing required argument "location"'
    ]


def test_a_missing_required_block_fails() -> None:
    text = 'resource "google_eventarc_trigger" "t" {\n  name = "t"\n  location = "global"\n}'
    assert check_text(text, "bad.tf") == [
        'bad.tf: resource google_eventarc_trigger.t: missing required block "destination"',
        'bad.tf: resource google_eventarc_trigger.t: missing required block "matching_criteria"',
    ]


def test_a_dynamic_block_must_name_a_real_block_and_its_content_is_checked() -> None:
    text = BUCKET % (
        'dynamic "lifecycle_rules" {\n for_each = []\n content {}\n}\n'
        'dynamic "cors" {\n for_each = []\n content {\n origins = []\n }\n}'
    )
    assert check_text(text, "bad.tf") == [
        'bad.tf: resource google_storage_bucket.source: dynamic "lifecycle_rules" names no '
        "block of this schema",
        "bad.tf: resource google_storage_bucket.source.cors: unsupported argument or block "
        '"origins"',
    ]


def test_plugin_framework_nesting_is_an_attribute() -> None:
    text = 'provider "helm" {\n  kubernetes {\n    host = "h"\n  }\n}'
    assert check_text(text, "bad.tf") == [
        "bad.tf: provider helm.kubernetes: is a nested attribute; write `kubernetes = { ... }`"
    ]
    text = 'provider "helm" {\n  kubernetes = {\n    hots = "h"\n  }\n}'
    assert check_text(text, "bad.tf") == [
        'bad.tf: provider helm.kubernetes: unsupported argument or block "hots"'
    ]


def test_no_schema_is_an_error_never_a_pass() -> None:
    assert check_text('resource "google_storage_buckets" "x" {}', "bad.tf") == [
        "bad.tf: resource google_storage_buckets.x: no such resource in google 8.7.0"
    ]
    assert check_text('data "random_id" "x" {}', "bad.tf") == [
        "bad.tf: data random_id.x: provider 'random' has no pinned schema"
    ]
