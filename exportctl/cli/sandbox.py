"""`exportctl sandbox`: the emulator in the foreground, for any AWS tool to use."""

from __future__ import annotations

import click


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="0 picks a free port.")
@click.option("--latency", type=float, default=0.0, metavar="SECONDS", help="Added per request.")
@click.option("--throttle-rate", type=float, default=0.0, metavar="0..1",
              help="Share of requests answered with the service's throttling error.")  # fmt: skip
@click.option("--error-rate", type=float, default=0.0, metavar="0..1",
              help="Share of requests answered with the service's 5xx error.")  # fmt: skip
@click.option("--page-size", type=click.IntRange(min=1), default=None,
              help="At most this many items per page, whatever the client asks.")  # fmt: skip
@click.option("--drop-rate", type=float, default=0.0, metavar="0..1",
              help="Share of connections closed without an answer.")  # fmt: skip
@click.option("--seed", type=int, default=7, show_default=True, help="Scenario and fault seed.")
@click.option("--s3/--no-s3", default=True, show_default=True,
              help="Also serve the jobs' S3 output (needs the sandbox extra).")  # fmt: skip
@click.option("--discovery-tasks", type=click.IntRange(min=1), default=None, metavar="N",
              help="Serve N generated Discovery export tasks (for scale tests).")  # fmt: skip
def sandbox(
    port: int,
    latency: float,
    throttle_rate: float,
    error_rate: float,
    page_size: int | None,
    drop_rate: float,
    seed: int,
    discovery_tasks: int | None,
    s3: bool,
) -> None:
    """Serve emulated Backup Search, Pinpoint, Personalize and Discovery APIs on
    127.0.0.1 until Ctrl-C, and print the environment that points any AWS tool at
    them (eval it in a shell, or use --endpoint-url).
    """
    from exportctl.errors import UsageError
    from exportctl.sandbox import cli as runner

    try:
        server = runner.build(
            port=port,
            latency=latency,
            throttle_rate=throttle_rate,
            error_rate=error_rate,
            page_size=page_size,
            drop_rate=drop_rate,
            seed=seed,
            discovery_tasks=discovery_tasks,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    try:
        runner.run(server, s3=s3)
    except OSError as exc:
        raise UsageError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
