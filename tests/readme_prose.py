"""The sentences README.md and docs/ say of the services one by one, made from their
specs, botocore's models and the sandbox's catalog (generated parts, see readme_tables):
how a start is kept from making a second job and how a lost one is found, which
services' start take times, what a rerun reuses, what a record's fields hold service
by service, which jobs estimates group, which jobs have a waiter in the AWS CLI,
which services can be cancelled and what the sandbox emulates, on which protocols.

A service, or a kind of its jobs where it has several, is named as a sentence names
it: its short title, or "EC2's exports of an image" (each kind's create's label).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import botocore.exceptions
import botocore.session
import readme_records

from exportctl.cli.servicehelp import in_prose_order, jobs_named, joined, whose
from exportctl.ops.start.recovery import LOOKS
from exportctl.services.kinds import kinds_of
from exportctl.services.spec import Derived, Fields, FieldSource, ServiceSpec
from exportctl.services.starts import Create

NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _code(words: Iterable[str]) -> str:
    return ", ".join(f"`{word}`" for word in words)


def _started() -> Iterator[tuple[str, Create, ServiceSpec]]:
    """Each kind of job ``start`` makes, named, with its create and the spec it is
    served as."""
    for spec in in_prose_order():
        for name, served in jobs_named(spec):
            if served.create is not None:
                yield name, served.create, served


def _kept(way: str) -> list[str]:
    """The jobs whose creates are kept from making a second job in this way
    (``Create.idempotency``, which ``ops.start.starter`` reads)."""
    return [name for name, create, _ in _started() if create.idempotency == way]


# -- start: one job, however many attempts --------------------------------------------

WAYS = {
    "token": "with one client token per command",
    "name": "by the job's unique name",
    "listing": "by looking for the job in the listing first",
}


def retries() -> str:
    ways = [(_kept(way), said) for way, said in WAYS.items()]
    return ", ".join(f"{joined(names)} {said}" for names, said in ways if names)


def by_name() -> str:
    return joined(_kept("name"))


def by_listing() -> str:
    return joined(_kept("listing"))


def whereabouts() -> str:
    """How the last line of a start that may have made a job says to find it, as
    ``ops.start.recovery.whereabouts`` words it: by name (and the reference it
    makes), by the client token where its records show it, else by the job's
    parameters."""
    from exportctl.ops.start.request import token_shown

    ways: dict[str, list[str]] = {}
    for name, create, spec in _started():
        if create.name:
            way = "`it is named 'N': exportctl status REF`"
        else:
            way = "the client token" if token_shown(spec) else "the parameters"
        ways.setdefault(way, []).append(name)
    said = {
        "`it is named 'N': exportctl status REF`": "",
        "the client token": " and a listing command",
        "the parameters": "",
    }
    parts = [
        f"{way}{said[way]} ({', '.join(ways[way])})"
        if way != "the parameters"
        else f"a listing command for the jobs with these parameters ({', '.join(ways[way])})"
        for way in said
        if way in ways
    ]
    return joined(parts, ", or ")


def _seconds(delays: Iterable[float]) -> str:
    return joined((f"{delay:g}" for delay in delays), " and ")


def retries_table() -> str:
    """docs/ARCHITECTURE.md's table: each way, the jobs created that way."""
    tokens = " or ".join(
        _code([token])
        for token in dict.fromkeys(c.token for _, c, _ in _started() if c.idempotency == "token")
        if token
    )
    by_arn = [name for name, create, _ in _started() if create.name and create.arn_of]
    in_listing = [(n, s) for n, c, s in _started() if c.idempotency == "listing"]
    timeless = [name for name, served in in_listing if served.fields.created is None]
    listings = _code(dict.fromkeys(served.list.operation for _, served in in_listing))
    how = {
        "token": (
            f"one {tokens} per command, sent again "
            "on every retry: the service answers a retry with the job the first attempt made"
        ),
        "name": (
            'names are unique in the account and region: "already exists" after an attempt '
            "whose outcome was unknown is the job read by that name"
            + (f" (by the ARN the name gives: {joined(by_arn)})" if by_arn else "")
            + ", not looked for in the listing, which can lag; it is our job when its "
            "parameters match and it was created since the command started (one not started "
            "yet, without a time, counts as new), a clear error (exit 2) otherwise; "
            '"already exists" at the first attempt is an error that asks for another `--name`'
        ),
        "listing": (
            "no token, no name: the recent jobs with the same parameters are noted before the "
            f"first attempt (the listing: {listings}); after an attempt whose outcome was "
            f"unknown, the listing is read again, for up to {sum(LOOKS):g} s (at "
            f"{_seconds(LOOKS)} s) before the create is sent again, since a listing can lag "
            "behind a create: a job with our parameters, created since the command started"
            + (f" (or without a creation time, as {joined(timeless)} are)" if timeless else "")
            + ", that was not there before is ours"
        ),
    }
    rows = [f"| {joined(names)} | {how[way]} |" for way in WAYS if (names := _kept(way))]
    head = "| jobs | how a retry is kept from making a second job |\n|---|---|"
    return "\n".join([head, *rows])


# -- start's options and rerun --------------------------------------------------------


def time_options() -> str:
    """The services whose ``start`` takes a time (an option of kind "time")."""
    return joined(
        whose(spec.short_title)
        for spec in in_prose_order()
        if any(
            option.kind == "time"
            for served in kinds_of(spec)
            if served.create
            for option in served.create.options
        )
    )


def rerun_reused() -> str:
    """What a rerun takes from the job it reruns, as `rerun --help` says it."""
    return "; ".join(create.reused for _, create, _ in _started() if create.reused)


def rerun_unreported() -> str:
    """The options of ``start`` a rerun cannot take from the job (``StartOption.record``
    None: the service does not report them), the name a rerun makes afresh aside."""
    said = []
    for name, create, _ in _started():
        options = [
            f"--{o.name}" for o in create.options if o.record is None and o.put != create.name
        ]
        if options:
            said.append(f"{joined(_code([option]) for option in options)} of {name}")
    return "; ".join(said)


def rerun_fresh() -> str:
    fresh = {"name": "name", "token": "client token"}
    return " or ".join(f"{word} ({', '.join(_kept(way))})" for way, word in fresh.items())


# -- the record ---------------------------------------------------------------------------


def _noted(fields: Fields, field: str) -> str | None:
    """What the record's table says ``field`` holds for jobs of these fields: the
    spec's note, else what the fields show ("" names the service alone); None: nothing."""
    if field in fields.notes:
        return fields.notes[field]
    if field == "name" and fields.name is not None:
        return ""
    if field == "created" and fields.created is None:
        return "always `null`, its API tells no time"
    return None


def record_field(field: str) -> str:
    """Each service's own word on one field of the record: a kind's where they differ."""
    said = []
    for spec in in_prose_order():
        named = jobs_named(spec)
        notes = [(name, _noted(served.fields, field)) for name, served in named]
        if len({note for _, note in notes}) == 1:
            notes = [(spec.short_title, notes[0][1])]
        said += [f"{name}: {note}" if note else name for name, note in notes if note is not None]
    return "; ".join(said)


def _noun(path: str) -> str:
    """The thing a record field names (``details.dataset_arn``: dataset)."""
    last = path.rsplit(".", 1)[-1]
    for suffix in ("_arn", "_name", "_id"):
        last = last.removesuffix(suffix)
    return last.replace("_", " ")


def eta_groups() -> str:
    """The jobs whose estimates are taken from their group's alone (``eta_group``)."""
    groups = [s for s in in_prose_order() if s.eta_group]
    return joined((f"{s.short_title} {_noun(s.eta_group or '')}" for s in groups), " or ")


def waiters() -> str:
    """The jobs botocore's waiters (the AWS CLI's ``wait``) wait for: a waiter whose
    operation is the get of that kind of job."""
    said = []
    session = botocore.session.get_session()
    for spec in in_prose_order():
        try:
            model = session.get_waiter_model(spec.client)
        except (botocore.exceptions.UnknownServiceError, botocore.exceptions.DataNotFoundError):
            continue
        gets = {model.get_waiter(name).operation for name in model.waiter_names}
        several = len(kinds_of(spec)) > 1
        for name, served in jobs_named(spec):
            if served.get.operation in gets:
                said.append(name if several else f"{whose(name)} exports")
    if not said:
        return "none has a waiter in the AWS CLI"
    have = "has" if len(said) == 1 else "have"
    return f"only {NUMBERS[len(said)]} {have} a waiter in the AWS CLI ({', '.join(said)})"


def url_outputs() -> str:
    """The services whose output is at a URL, not in S3 (``Output.kind``)."""
    return joined(
        whose(s.short_title) for s in in_prose_order() if s.output and s.output.kind == "url"
    )


# -- reading jobs -------------------------------------------------------------------------


def by_arn() -> str:
    """The services whose get takes the job's ARN, which a name or an id is looked up for."""
    return joined(spec.short_title for spec in in_prose_order() if spec.get.by_arn)


def _members(source: FieldSource) -> tuple[str, ...]:
    """The members of the job a field is read from: none where the field is not."""
    if source is None:
        return ()
    paths = source.paths if isinstance(source, Derived) else (source,)
    return tuple(path.split(".")[0] for path in paths)


def listed_without_output() -> str:
    """The jobs whose listing names no output location: the members ``Fields.destination``
    reads are not in the model's job of the listing, and the listed jobs are not each
    described (``summaries``). ``api`` reads such a job again before a download. A job
    whose record names no output location (no ``Fields.destination``) is not one."""
    said = []
    session = botocore.session.get_session()
    for spec in in_prose_order():
        if spec.summaries is not None:
            continue
        model = session.get_service_model(spec.client)
        for name, served in jobs_named(spec):
            output = model.operation_model(served.list.operation).output_shape
            assert output is not None
            job = readme_records.job_shape(output, served.list.items)
            members = _members(served.fields.destination)
            if not all(member in job.members for member in members):  # type: ignore[attr-defined]
                said.append(name)
    return joined(said, " or ")


# -- cancel, the sandbox ----------------------------------------------------------------


def cancellable() -> str:
    return joined(spec.short_title for spec in in_prose_order() if spec.cancel is not None)


def _emulated() -> list[ServiceSpec]:
    """The services the sandbox emulates: its catalog's worlds are botocore's clients,
    each the API of the spec of that client, the one named alike where several share it
    (tests/cli/test_toy_service.py's toy speaks Discovery's API)."""
    from exportctl.sandbox.catalog import NAMES

    specs = in_prose_order()
    chosen = {
        client: next((s for s in specs if s.name == client), None)
        or next(s for s in specs if s.client == client)
        for client in NAMES
        if any(s.client == client for s in specs)
    }
    return [spec for spec in specs if spec in chosen.values()]


def sandbox_services() -> str:
    return joined(spec.short_title for spec in _emulated())


def sandbox_cancellable() -> str:
    return joined(spec.short_title for spec in _emulated() if spec.cancel is not None)


def sandbox_protocols() -> str:
    """Each wire protocol the sandbox speaks, the model's, and the services on it."""
    session = botocore.session.get_session()
    on: dict[str, list[str]] = {}
    for spec in _emulated():
        protocol = session.get_service_model(spec.client).metadata["protocol"]
        on.setdefault(protocol, []).append(spec.short_title)
    return joined(f"{protocol} for {joined(names)}" for protocol, names in on.items())
