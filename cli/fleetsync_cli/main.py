"""`fleet-argocd-sync`: plan, resync, render and replay from a workstation.

The same configuration as the function (environment variables, overridable by flags placed
before or after the command) and the same core, so what `plan` shows is what the function
would do. This module reads the command line and runs one of `commands`, whose exit code
it returns (0 done or in sync, 2 changes pending, 1 an error). An expected failure is one
or two lines on stderr; `-v` adds the detail.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

from fleetsync.config.settings import Settings
from fleetsync.config.table import FLEET_SYNC_CONFIG, SINGLE_FORM, VARIABLES
from fleetsync.core.errors import SyncError
from fleetsync_cli.commands import COMMANDS, EXIT_ERROR
from fleetsync_cli.configfile import read_config_file
from fleetsync_cli.output import RESYNC_ROWS

# The settings a flag may override: the flags come from the one table of settings.
FLAGGED = [variable for variable in VARIABLES if variable.flag]


class _Parser(argparse.ArgumentParser):
    """A usage error is an error (exit 1, one line), never mistaken for "changes pending"."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    config = common.add_argument_group("configuration (default: the environment variables)")
    for variable in FLAGGED:
        config.add_argument(
            variable.flag,
            dest=variable.name,
            metavar="VALUE",
            default=argparse.SUPPRESS,
            help=f"overrides {variable.name}",
        )
    config.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="the FLEET_SYNC_CONFIG document (several fleets and targets), JSON or YAML",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log every step, and the detail of a failure, to stderr",
    )
    root = _Parser(
        prog="fleet-argocd-sync",
        parents=[common],
        allow_abbrev=False,
        description="See and apply what fleet-argocd-sync does to Argo CD cluster Secrets.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=text, description=text, parents=[common], allow_abbrev=False
        )

    plan = command("plan", "show what a resync would change (exit 2 if anything is pending)")
    resync = command("resync", "make the Secrets equal to the fleet")
    for each in (plan, resync):
        each.add_argument("--membership", help="only this {location}/{id}")
        each.add_argument("--output", choices=["table", "json"], default="table")
        each.add_argument("--wide", action="store_true", help="Secret names, servers, all labels")
    resync.add_argument("--force", action="store_true", help="pass the mass-delete guard")
    resync.add_argument(
        "--all", action="store_true", help=f"every row, not the first {RESYNC_ROWS}"
    )
    render = command("render", "print the Secret a membership gets, as YAML")
    render.add_argument("membership", help="{location}/{id}")
    replay = command("replay", "feed saved audit-log entries to the event path")
    replay.add_argument("file", help="a LogEntry, or a list of them, as JSON (gcloud logging read)")
    replay.add_argument("--dry-run", action="store_true", help="report without writing")
    return root


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    root = parser()
    _refuse_unknown_flags(root, arguments)
    args = root.parse_args(arguments)
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if verbose:  # each step of our own
        logging.getLogger("fleetsync").setLevel(logging.DEBUG)
    else:  # the HTTP libraries' retry chatter is not for the default output
        logging.getLogger("urllib3").setLevel(logging.ERROR)
    try:
        settings = Settings.from_env(_environment(args, os.environ if env is None else env))
        return int(COMMANDS[args.command](settings, args, sys.stdout))
    except SyncError as err:
        print(f"error: {err}", file=sys.stderr)
        if verbose and err.__cause__ is not None:
            print(f"detail: {type(err.__cause__).__name__}: {err.__cause__}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `... | head`: the reader left; so do we, quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as err:
        if verbose:
            raise
        print(f"error: unexpected {type(err).__name__}: {err} (-v shows where)", file=sys.stderr)
        return EXIT_ERROR


def _refuse_unknown_flags(root: argparse.ArgumentParser, arguments: list[str]) -> None:
    """Name a misspelt flag, wherever it stands (argparse would blame the next word)."""
    known = {"-h", "--help"}
    for action in root._actions:
        known.update(action.option_strings)
        for sub in getattr(action, "choices", None) or {}:
            if isinstance(action.choices, dict):
                known.update(o for a in action.choices[sub]._actions for o in a.option_strings)
    for word in arguments:
        if word.startswith("-") and word != "-" and word.split("=", 1)[0] not in known:
            root.error(f"unknown flag {word.split('=', 1)[0]}")


def _environment(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, str]:
    merged = dict(env)
    if hasattr(args, "config"):
        # The document replaces the single form: its variables in the shell are ignored.
        for variable in SINGLE_FORM:
            merged.pop(variable.name, None)
        merged[FLEET_SYNC_CONFIG.name] = read_config_file(args.config)
    for variable in FLAGGED:
        if hasattr(args, variable.name):
            merged[variable.name] = getattr(args, variable.name)
    return merged
