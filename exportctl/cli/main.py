"""The command tree's root: global options, lazy subcommands, exit codes."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any

import click

from exportctl import __version__
from exportctl.cli.context import AppContext

# name -> "module:attribute"; a command's module is imported only when it runs
# (or when --help lists the commands), so start-up stays light.
COMMANDS: dict[str, str] = {
    "list": "exportctl.cli.listing:list_jobs",
    "status": "exportctl.cli.status:status",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", envvar="AWS_PROFILE", help="AWS profile (default: AWS_PROFILE).")
@click.option("--region", help="AWS region (default: the profile's or AWS_REGION).")
@click.option(
    "--endpoint-url",
    help="Send every call to this URL (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> work too).",
)
@click.option("--debug", is_flag=True, help="Tracebacks and API call counts on stderr.")
@click.option("--no-color", is_flag=True, help="No colour (NO_COLOR works too).")
@click.version_option(__version__, "--version", "-V", prog_name="exportctl")
@click.pass_context
def cli(
    ctx: click.Context,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
    debug: bool,
    no_color: bool,
) -> None:
    """One face for the export jobs of AWS Backup Search, Amazon Pinpoint,
    Amazon Personalize and AWS Application Discovery.

    \b
    Exit codes: 0 ok, 1 a job ended in another state (wait), 2 usage or bad input,
    3 job not found, 4 credentials refused or access denied, 5 other AWS or network
    error, 124 timeout (wait), 130 interrupted.
    """
    from exportctl.aws import AwsSettings

    app = AppContext(
        settings=AwsSettings(profile=profile or None, region=region, endpoint_url=endpoint_url),
        debug=debug or _env_flag("EXPORTCTL_DEBUG"),
        no_color=no_color,
    )
    _STATE["app"] = app
    ctx.obj = app


# The running invocation's context, for the error handler in main().
_STATE: dict[str, AppContext] = {}


def _run_cleanups() -> None:
    app = _STATE.get("app")
    if app is None:
        return
    while app.cleanups:
        # A failing cleanup must not hide the command's outcome.
        with contextlib.suppress(Exception):
            app.cleanups.pop()()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure becomes one line on stderr and a documented exit code."""
    from exportctl.errors import ExitCode, ExportctlError

    debug = _env_flag("EXPORTCTL_DEBUG") or "--debug" in (argv or sys.argv[1:])
    code: Any = 0
    try:
        code = cli.main(args=argv, prog_name="exportctl", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("exportctl: interrupted", err=True)
        code = ExitCode.INTERRUPTED
    except ExportctlError as exc:
        _fail(exc.message, debug)
        code = exc.exit_code
    except BrokenPipeError:
        # The reader went away (`exportctl list | head`); nothing left to say.
        sys.stderr.close()
        code = 0
    except Exception as exc:
        _fail(
            f"unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)", debug
        )
        code = ExitCode.INTERNAL
    finally:
        _run_cleanups()
    sys.exit(int(code) if isinstance(code, int) else 0)


def _fail(message: str, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()
    click.echo(f"exportctl: error: {message}", err=True)
