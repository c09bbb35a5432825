"""`exportctl sandbox`: the emulator for any AWS tool, in the foreground or the background."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from exportctl.cli.numbers import FloatRange, Int, IntRange
from exportctl.cli.servicehelp import DescribedCommand

F = TypeVar("F", bound=Callable[..., Any])

FOREGROUND_HINT = (
    "# exportctl sandbox: serving in the foreground until Ctrl-C. Use it from another\n"
    "# terminal: paste the export lines above there, or run\n"
    '#   eval "$(exportctl sandbox --detach)"\n'
    "# instead, to serve in the background from the shell you are in."
)


def _scale_options(fn: F) -> F:
    """Options that grow one of the sandbox's worlds beyond its scenario, as the
    sandbox declares them: each a count, passed on to it by name."""
    from exportctl.sandbox.scale import SCALE_OPTIONS

    for name, help in reversed(SCALE_OPTIONS):
        fn = click.option(f"--{name}", type=IntRange(min=1), default=None, metavar="N", help=help)(
            fn
        )
    return fn


def _organization_size(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    from exportctl.sandbox.accounts import check_size

    if value is not None:
        try:
            check_size(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx, param) from exc
    return value


def _help_text() -> str:
    from exportctl.cli.servicehelp import how_many, sandbox_summary

    return f"""{sandbox_summary()}

    In the background, from the shell that uses it: the first line serves and sets
    AWS_ENDPOINT_URL & co., the last stops it and unsets them.

    \b
      eval "$(exportctl sandbox --detach)"
      exportctl list
      eval "$(exportctl sandbox --stop)"

    In the foreground, until Ctrl-C: `exportctl sandbox`, then paste the export
    lines it prints into another terminal.

    Without moto (`pip install 'exportctl[sandbox]'`) the {how_many()} export APIs are
    served and S3 is not: a notice says so.

    `exportctl --sandbox ...` commands share one world of their own, kept in the
    cache folder until idle for 30 minutes; `exportctl sandbox --reset` forgets it.
    """


@click.command(cls=DescribedCommand, describe=_help_text)
@click.option("--port", type=IntRange(0, 65535), default=0, metavar="N",
              help="Port of the export APIs; 0 picks a free one.")  # fmt: skip
@click.option("--s3-port", type=IntRange(0, 65535), default=0, metavar="N",
              help="Port of S3; 0 picks a free one.")  # fmt: skip
@click.option("--latency", type=FloatRange(min=0), default=0.0, metavar="SECONDS",
              help="Added per request.")  # fmt: skip
@click.option("--throttle-rate", type=FloatRange(0, 1), default=0.0, metavar="0..1",
              help="Share of requests answered with the service's throttling error.")  # fmt: skip
@click.option("--error-rate", type=FloatRange(0, 1), default=0.0, metavar="0..1",
              help="Share of requests answered with the service's 5xx error.")  # fmt: skip
@click.option("--page-size", type=IntRange(min=1), default=None, metavar="N",
              help="At most N items per page, whatever the client asks.")  # fmt: skip
@click.option("--drop-rate", type=FloatRange(0, 1), default=0.0, metavar="0..1",
              help="Share of connections closed without an answer.")  # fmt: skip
@click.option("--seed", type=Int(), default=7, show_default=True, metavar="N",
              help="Scenario and fault seed.")  # fmt: skip
@click.option("--s3/--no-s3", default=True, show_default=True,
              help="Also serve the jobs' S3 output (needs the sandbox extra).")  # fmt: skip
@_scale_options
@click.option("--accounts", "accounts", type=Int(), default=None, metavar="N",
              callback=_organization_size,
              help="An organization of N accounts (for scale tests), at least the "
                   "scenario's six: members past them hold jobs in two regions and are "
                   "reached by role.")  # fmt: skip
@click.option("--detach", is_flag=True,
              help="Serve in the background: print the export lines and return.")  # fmt: skip
@click.option("--stop", is_flag=True,
              help="Stop the background sandbox at --port, else at $AWS_ENDPOINT_URL, "
                   "and print the unset lines.")  # fmt: skip
@click.option("--reset", is_flag=True,
              help="Forget the world --sandbox commands keep, and return.")  # fmt: skip
@click.option("--detached-child", is_flag=True, hidden=True)
@click.pass_context
def sandbox(
    ctx: click.Context,
    /,
    port: int,
    s3_port: int,
    latency: float,
    throttle_rate: float,
    error_rate: float,
    page_size: int | None,
    drop_rate: float,
    seed: int,
    accounts: int | None,
    s3: bool,
    detach: bool,
    stop: bool,
    reset: bool,
    detached_child: bool,
    **scale: int | None,
) -> None:
    """Serve the sandbox: its help is _help_text's, which names the services it emulates."""
    from exportctl.domain.errors import UsageError
    from exportctl.sandbox import background
    from exportctl.sandbox import cli as runner

    if detach and stop:
        raise click.UsageError("--detach and --stop exclude each other", ctx)
    if reset:
        if detach or stop:
            raise click.UsageError("--reset excludes --detach and --stop: run it alone", ctx)
        click.echo(runner.reset())
        return
    if stop:
        url = f"http://127.0.0.1:{port}" if port else os.environ.get("AWS_ENDPOINT_URL", "")
        if not url:
            raise UsageError("which sandbox? pass --port, or set AWS_ENDPOINT_URL to its URL")
        from exportctl.sandbox.server import ENV_NAMES

        # What --detach set, its dummy credentials included, goes with it.
        names = [*ENV_NAMES, "AWS_ENDPOINT_URL_S3", background.PID_VARIABLE]
        said = os.environ.get(background.PID_VARIABLE, "").strip()
        # What --detach set in this shell points at that URL.
        ours = bool(said) and os.environ.get("AWS_ENDPOINT_URL", "") == url
        try:
            pid = background.stop(url, expected=said)
        except background.NoSandbox as exc:
            if not ours:
                raise UsageError(str(exc)) from exc
            # Nothing answers, but its process may still run (stopped, too busy).
            try:
                ended = background.stop_unanswering(said, url)
            except background.BackgroundError as error:
                raise UsageError(str(error)) from error
            if ended is not None:
                click.echo(f"unset {' '.join(names)}")
                click.echo(
                    f"# exportctl sandbox (pid {ended}) stopped: it no longer answered at {url}"
                )
                return
            # Gone already (killed, the machine restarted): what --detach set in this
            # shell still points at it, and goes all the same.
            click.echo(f"unset {' '.join(names)}")
            click.echo(f"# exportctl sandbox (pid {said}) was gone: nothing answered at {url}")
            return
        except background.LeftRunning as exc:
            if not ours or str(exc.pid) == said:
                raise UsageError(str(exc)) from exc
            # This shell's is gone, its port since taken by another, which stays.
            click.echo(f"unset {' '.join(names)}")
            click.echo(
                f"# exportctl sandbox (pid {said}) was gone: another (pid {exc.pid})"
                f" serves at {url}, left running"
            )
            return
        except background.BackgroundError as exc:
            raise UsageError(str(exc)) from exc
        click.echo(f"unset {' '.join(names)}")
        click.echo(f"# exportctl sandbox (pid {pid}) stopped")
        return
    try:
        server = runner.build(
            port=port,
            latency=latency,
            throttle_rate=throttle_rate,
            error_rate=error_rate,
            page_size=page_size,
            drop_rate=drop_rate,
            seed=seed,
            accounts=accounts,
            scale=scale,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if detach:
        _detach(ctx)
        return
    try:
        runner.run(
            server,
            s3=s3,
            s3_port=s3_port,
            detached=detached_child,
            hint="" if detached_child else FOREGROUND_HINT,
        )
    except OSError as exc:
        raise UsageError(
            f"cannot serve on 127.0.0.1 (port {port}, S3 port {s3_port}): {exc.strerror or exc}"
        ) from exc


_NOT_PASSED_ON = ("detach", "stop", "reset", "detached_child")


def _detach(ctx: click.Context) -> None:
    """Run this same command, without --detach, as a background process."""
    from exportctl.domain.errors import UsageError
    from exportctl.sandbox import background

    here = background.detached_here()
    if here is not None:
        # A second one would take over this shell's variables and leave the first
        # running with nothing pointing at it.
        url, pid = here
        raise UsageError(
            f"a sandbox already serves in the background at {url} (pid {pid}), as this "
            'shell\'s variables say: stop it first with eval "$(exportctl sandbox --stop)"'
        )
    args = ["sandbox", "--detached-child"]
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name in _NOT_PASSED_ON:
            continue
        value = ctx.params.get(str(param.name))
        if param.name == "s3":
            args.append("--s3" if value else "--no-s3")
        elif value is not None and param.expose_value:
            args += [param.opts[0], str(value)]
    try:
        started = background.start(background.child_argv(args))
    except background.BackgroundError as exc:
        raise UsageError(str(exc)) from exc
    click.echo(started.notes, err=True, nl=False)
    lines = [
        *started.lines,
        f"export {background.PID_VARIABLE}={started.pid}",
        f"# exportctl sandbox serving on {started.url} in the background (pid {started.pid});"
        f' stop it with: eval "$(exportctl sandbox --stop)"  (or: kill {started.pid})',
    ]
    try:
        click.echo("\n".join(lines))
        sys.stdout.flush()
    except OSError:
        # The shell never learns where it serves (a full disk, `| true`): a sandbox
        # nothing points at would serve on unseen, so it goes.
        with contextlib.suppress(background.BackgroundError):
            background.stop(started.url, expected=str(started.pid))
        raise
