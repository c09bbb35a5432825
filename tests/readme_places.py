"""What README.md says of where jobs write and what their listings hold, service by
service, made from the specs and botocore's models (generated parts, see
readme_tables): which creates take their S3 URI whole, which destinations are a
folder the user names, which jobs' files land in a folder named for the service, and
what a listing leaves out of a job that its describe has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import botocore.session
import readme_prose
import readme_records

from exportctl.cli.servicehelp import in_prose_order, joined
from exportctl.services.engine import build_request
from exportctl.services.spec import Derived, ServiceSpec
from exportctl.services.starts import StartOption, bucket_name, s3_uri

# What an S3 URI option is given, to see what its create sends of it.
_URI = "s3://amzn-s3-demo-bucket/exports/items"


def _code(words: Iterable[str]) -> str:
    return joined((f"`{word}`" for word in words), " or ")


def _leaves(value: Any) -> Iterator[Any]:
    """The values a request holds, in its structures and lists however deep."""
    if isinstance(value, Mapping):
        for member in value.values():
            yield from _leaves(member)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _uri_options(spec: ServiceSpec) -> list[tuple[str, StartOption, Any]]:
    """Each S3 URI option of the service's creates (``check=s3_uri``), with its create."""
    creates = [c for c in (spec.create, *(k.create for k in spec.kinds)) if c is not None]
    return [(spec.name, o, c) for c in creates for o in c.options if o.check is s3_uri]


def whole_uris() -> str:
    """The services whose create sends an S3 URI option as it is (one request member
    holds the URI), where the others are sent its bucket and prefix apart."""
    return joined(
        spec.short_title
        for spec in in_prose_order()
        if any(
            _URI in _leaves(build_request(create, {option.name.replace("-", "_"): _URI}))
            for _, option, create in _uri_options(spec)
        )
    )


def bucket_options() -> str:
    """The services whose ``start`` takes a bucket's name (``check=bucket_name``)."""
    return ", ".join(
        spec.name
        for spec in in_prose_order()
        if spec.create and any(o.check is bucket_name for o in spec.create.options)
    )


def periods() -> str:
    """Each period of ``start`` (its two options) and the services whose create has it."""
    by_options: dict[str, list[str]] = {}
    for spec in in_prose_order():
        for create in (spec.create, *(k.create for k in spec.kinds)):
            for first, last in create.periods if create else ():
                by_options.setdefault(f"`--{first}`/`--{last}`", []).append(spec.name)
    return ", ".join(f"{options} of {joined(names)}" for options, names in by_options.items())


def folder_destinations() -> str:
    """The services whose output is a folder (``Output.folder``) that the job's record
    names as the user gave it (one member, not a path made of the job's own parts,
    which ends in '/'): one given without its last '/' is read as that folder."""
    return joined(
        readme_prose.whose(spec.short_title)
        for spec in in_prose_order()
        if spec.output
        and spec.output.folder
        and spec.fields.destination is not None
        and not isinstance(spec.fields.destination, Derived)
    )


def own_keys() -> str:
    """The folder a download of one of the service's jobs lands in where its keys name
    the job already (``Output.keys_name_job``: ``download``'s default_dirname)."""
    return joined(
        f"`{spec.name}` for {spec.short_title}"
        for spec in in_prose_order()
        if spec.output and spec.output.keys_name_job
    )


def _job(spec: ServiceSpec, operation: str, path: str) -> Any:
    model = botocore.session.get_session().get_service_model(spec.client)
    output = model.operation_model(operation).output_shape
    assert output is not None, f"{spec.name}: {operation} answers nothing"
    return readme_records.job_shape(output, path)


def listed_less() -> str:
    """The listings (not described job by job) whose job lacks members the get's has."""
    said = []
    for spec in in_prose_order():
        if spec.summaries is not None:
            continue
        for name, served in readme_prose.jobs_named(spec):
            got = _job(served, served.get.operation, served.get.item).members
            listed = _job(served, served.list.operation, served.list.items).members
            if missing := [member for member in got if member not in listed]:
                said.append(f"{readme_prose.whose(name)} has no {_code(missing)}")
    return "; ".join(said)


def summarised() -> str:
    """The listings that give a summary of each job (``summaries``), what it holds, and
    the call each listed job is described with."""
    said = []
    for spec in in_prose_order():
        if spec.summaries is not None:
            held = _job(spec, spec.list.operation, spec.list.items).members
            said.append(
                f"{readme_prose.whose(spec.short_title)} {spec.list.operation} gives only "
                f"{joined(f'`{member}`' for member in held)}, then {spec.get.operation}"
            )
    return "; ".join(said)
