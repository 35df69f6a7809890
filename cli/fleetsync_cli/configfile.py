"""`--config FILE`: the FLEET_SYNC_CONFIG document from a JSON or YAML file, as JSON text.

The function reads the document as JSON; YAML is read here, on the operator's machine, and
anything YAML has that JSON has not (a duplicate key, a date) is an error naming where.
"""

from __future__ import annotations

import json
from typing import Any

from fleetsync.core.errors import PermanentError


def read_config_file(path: str) -> str:
    """The --config file as JSON text; YAML is read too (JSON is YAML)."""
    import yaml

    class Loader(yaml.SafeLoader):
        """Refuses a key given twice in one mapping (PyYAML keeps the last, silently)."""

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
            twice = sorted({str(k) for k in keys if keys.count(k) > 1})
            if twice:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {', '.join(twice)} given twice", node.start_mark
                )
            return super().construct_mapping(node, deep=deep)

    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=Loader)  # noqa: S506 - a SafeLoader
    except OSError as err:
        raise PermanentError(f"cannot read --config {path}: {err.strerror}") from None
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(err, "problem", None) or " ".join(str(err).split())
        raise PermanentError(f"--config {path} is neither JSON nor YAML: {problem}{at}") from None
    except RecursionError:
        raise PermanentError(f"--config {path}: nested too deeply") from None
    _check_json(document, path, "")
    return json.dumps(document)


def _check_json(value: object, path: str, where: str) -> None:
    """YAML has values JSON has not (dates, sets, ...): name where one is, to be quoted."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_json(item, path, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, path, f"{where}[{i}]")
    elif value is not None and not isinstance(value, str | int | float | bool):
        raise PermanentError(
            f"--config {path}: {where}: a YAML {type(value).__name__}, not a JSON value; quote it"
        )
