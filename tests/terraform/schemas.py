"""The providers' schemas, read offline from the CDK Terrain prebuilt provider packages.

No provider can be downloaded on the project's machines, but PyPI carries, for each provider,
a package generated from one pinned release of it whose jsii assembly (`_jsii/*.jsii.tgz`,
`package/.jsii`) describes every resource, data source and the provider block: one config
interface each, whose properties link the registry's `#argument_name`, say whether they are
optional, and point at a nested interface for a block. `python -m tests.terraform.schemas`
downloads the wheels (data only, no dependencies, nothing executed) into SCHEMA_DIR;
`make test` does it first. This module reads them and leaves the checking to schema_check.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / ".provider-schemas"


@dataclass(frozen=True)
class Pin:
    package: str  # the PyPI package carrying the schema
    version: str
    provider_version: str  # the hashicorp/<name> release the package was generated from
    # Plugin Framework providers write nested objects as attributes (`kubernetes = { ... }`,
    # `set = [{ ... }]`); SDKv2 providers write them as blocks. The assembly does not say which,
    # so it is stated here per provider: helm 3.x moved every nested object to an attribute
    # (see the helm provider's v3 upgrade guide).
    nested_as_attributes: bool = False


PINS = {
    "google": Pin("cdktn-provider-google", "21.1.0", "8.7.0"),
    "kubernetes": Pin("cdktn-provider-kubernetes", "17.1.0", "3.4.0"),
    "helm": Pin("cdktn-provider-helm", "15.1.0", "3.3.0", nested_as_attributes=True),
    "archive": Pin("cdktn-provider-archive", "14.0.1", "2.8.1"),
}


@dataclass
class Field:
    name: str
    required: bool
    nested: Block | None = None  # set for a block (or, with nested_as_attributes, an object)
    single: bool = False  # a nested object that may appear once (max_items = 1)


@dataclass
class Block:
    fields: dict[str, Field] = field(default_factory=dict)


@dataclass
class ProviderSchema:
    name: str
    pin: Pin
    provider: Block
    resources: dict[str, Block]
    data_sources: dict[str, Block]


def wheel_path(pin: Pin) -> Path:
    return SCHEMA_DIR / f"{pin.package.replace('-', '_')}-{pin.version}-py3-none-any.whl"


def download() -> None:
    """Fetch every pinned wheel that is not here yet (about 85 MB, google being 67 MB)."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    wanted = [f"{p.package}=={p.version}" for p in PINS.values() if not wheel_path(p).exists()]
    if wanted:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                str(SCHEMA_DIR),
                *wanted,
            ],
            check=True,
        )
    for pin in PINS.values():
        if not wheel_path(pin).exists():
            raise SystemExit(f"{wheel_path(pin)} is missing after the download")


def _assembly(pin: Pin) -> dict[str, Any]:
    path = wheel_path(pin)
    if not path.exists():
        raise FileNotFoundError(
            f"no schema for {pin.package} {pin.version}: run `make test` (or "
            "`.venv/bin/python -m tests.terraform.schemas`) to download it"
        )
    with zipfile.ZipFile(path) as wheel:
        (member,) = [n for n in wheel.namelist() if n.endswith(".jsii.tgz")]
        with wheel.open(member) as tgz, tarfile.open(fileobj=tgz, mode="r:gz") as tar:
            jsii = tar.extractfile("package/.jsii")
            assert jsii is not None
            return json.load(jsii)  # type: ignore[no-any-return]


_LINK = re.compile(r"\{@link (\S+) ([a-z0-9_]+)\}")
_ANCHOR = re.compile(r"#([A-Za-z0-9_]+) [A-Za-z0-9]+#")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _unwrap(type_: dict[str, Any]) -> dict[str, Any]:
    """The type without the IResolvable alternative every argument also accepts."""
    union = type_.get("union")
    if union:
        kept = [t for t in union["types"] if t.get("fqn") != "cdktn.IResolvable"]
        if len(kept) == 1:
            return _unwrap(kept[0])
    return type_


class _Reader:
    def __init__(self, assembly: dict[str, Any], pin: Pin) -> None:
        self.types: dict[str, Any] = assembly["types"]
        self.prefix = assembly["name"] + "."
        self.pin = pin
        self.blocks: dict[str, Block] = {}

    def block(self, fqn: str) -> Block:
        if fqn in self.blocks:  # some structures nest themselves (JSON schema properties)
            return self.blocks[fqn]
        interface = self.types[fqn]
        block = self.blocks[fqn] = Block()
        for parent in interface.get("interfaces", []):
            if parent.startswith(self.prefix):
                block.fields.update(self.block(parent).fields)
        for prop in interface.get("properties", []):
            docs = prop.get("docs", {})
            anchor = _ANCHOR.search(docs.get("remarks", "") + " " + docs.get("summary", ""))
            name = anchor.group(1) if anchor else _snake(prop["name"])
            block.fields[name] = self.field(name, prop)
        return block

    def field(self, name: str, prop: dict[str, Any]) -> Field:
        type_ = _unwrap(prop["type"])
        required = not prop.get("optional", False)
        if type_.get("fqn", "").startswith(self.prefix):
            return Field(name, required, self.block(type_["fqn"]), single=True)
        element = _unwrap(type_.get("collection", {}).get("elementtype", {}))
        if type_.get("collection", {}).get("kind") == "array" and element.get("fqn", "").startswith(
            self.prefix
        ):
            return Field(name, required, self.block(element["fqn"]))
        return Field(name, required)

    def schema(self, name: str) -> ProviderSchema:
        schema = ProviderSchema(name, self.pin, Block(), {}, {})
        for type_ in self.types.values():
            base = type_.get("base")
            if type_["kind"] != "class" or base not in _KINDS:
                continue
            link = _LINK.search(type_["docs"]["summary"])
            assert link, type_["fqn"]
            assert f"/{self.pin.provider_version}/" in link.group(1), link.group(1)
            config = self.block(type_["initializer"]["parameters"][-1]["type"]["fqn"])
            if base == "cdktn.TerraformProvider":
                schema.provider = config
            elif base == "cdktn.TerraformResource":
                schema.resources[link.group(2)] = config
            else:
                schema.data_sources[link.group(2)] = config
        return schema


_KINDS = {"cdktn.TerraformResource", "cdktn.TerraformDataSource", "cdktn.TerraformProvider"}


@functools.cache
def provider_schema(name: str) -> ProviderSchema:
    """The schema of one provider, from its pinned package; FileNotFoundError if not here."""
    pin = PINS[name]
    return _Reader(_assembly(pin), pin).schema(name)


if __name__ == "__main__":
    download()
