"""The tables README.md shows of the services, made from their specs (and the
sentences that name the services one by one, readme_records, readme_prose and
readme_places, the references of readme_refs and the sandbox's of readme_sandbox, in
README.md and the documents of ``DOCS``).

Each sits between ``<!-- generated: NAME -->`` and ``<!-- /generated -->``: on lines
of their own around a table, inside a line around words (a cell of a table), or
around rows at the end of a table, the opening mark after the last written row's
last ``|`` (a cell beyond the header's, which markdown drops) so that the table goes on.
``make readme`` (tests/readme_outputs.py) writes them; tests/cli/test_readme.py
fails when README.md or a document of ``DOCS`` shows anything else. What a table
says of a service comes from its spec (``ServiceSpec``) and botocore's model of its
API (the IAM prefix of its actions): a new service's rows need no word written here.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable

import botocore.session
import readme_places
import readme_prose
import readme_records
import readme_refs
import readme_sandbox

from exportctl.cli.servicehelp import in_prose_order, joined
from exportctl.domain.model import State
from exportctl.ops.conditions import NORMALISED, fold
from exportctl.services.kinds import kinds_of
from exportctl.services.spec import Derived, FieldSource, Kind, ServiceSpec
from exportctl.services.starts import Create, StartOption
from exportctl.services.statusfilter import words_for, words_of

MARKED = re.compile(r"<!-- generated: ([\w-]+) -->(.*?)<!-- /generated -->", re.DOTALL)
NONE = "—"


def _code(words: Iterable[str]) -> str:
    return ", ".join(f"`{word}`" for word in words)


def _unique(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(words))


def _table(head: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join([*lines, *map(_row, rows)])


def _row(cells: tuple[str, ...]) -> str:
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def _creates(spec: ServiceSpec) -> list[Create]:
    return [c for c in (spec.create, *(k.create for k in spec.kinds)) if c is not None]


def _jobs(spec: ServiceSpec) -> list[ServiceSpec | Kind]:
    return [spec, *spec.kinds]


# -- the services -----------------------------------------------------------------------


def _reads(spec: ServiceSpec) -> str:
    """The calls that read jobs: each kind's get and listing, the parents' listing."""
    calls = []
    for jobs in _jobs(spec):
        listing = jobs.list.operation
        if spec.fan_out is not None and jobs is spec:
            listing += f" (per {spec.fan_out.noun})"
        calls += [jobs.get.operation, listing]
    if spec.fan_out is not None:
        calls.append(spec.fan_out.parents.operation)
    said = ", ".join(_unique(calls))
    if spec.searches is not None:
        searched = (spec.searches.get, spec.searches.backups.operation)
        said += f"; {', '.join(searched)} (`backups`)"
    return said


def services() -> str:
    rows = []
    for spec in in_prose_order():
        name = f"`{spec.name}`"
        if spec.aliases:
            name += f" (also {_code(spec.aliases)})"
        starts = ", ".join(c.operation for c in _creates(spec)) or NONE
        cancels = spec.cancel.operation if spec.cancel else NONE
        rows.append((spec.long_title, name, _reads(spec), starts, cancels))
    head = ("service", "name in exportctl", "calls to read jobs", "to start one", "to cancel one")
    return _table(head, rows)


def count() -> str:
    return str(len(in_prose_order()))


# -- list's and watch's scopes ------------------------------------------------------------


def scopes() -> str:
    rows = []
    for spec in in_prose_order():
        for scope in spec.scopes:
            said = f"{scope.help} {scope.notes}".strip()
            option = f"`--{scope.name} {scope.metavar}`".replace("|", "\\|")
            rows.append((option, said))
    return "\n".join(map(_row, rows))


def scope_names() -> str:
    return _code(f"--{scope.name}" for spec in in_prose_order() for scope in spec.scopes)


def _listings() -> list[tuple[str, ServiceSpec]]:
    """Each listing of jobs, as a sentence names it: a service, or a kind of its jobs
    by its create's label (EC2's exports of an image)."""
    return [named for spec in in_prose_order() for named in readme_prose.jobs_named(spec)]


_whose = readme_prose.whose


def _unfiltered(name: str, served: ServiceSpec) -> list[str]:
    """The states whose listing reads every page though the listing has a filter, and why."""
    flt = served.list.status_filter
    assert flt is not None
    said = []
    for state in State:
        words = words_of(served, {state})
        if not words or words_for(served, {state}) is not None:
            continue
        refused = [word for word in words if word not in flt.words]
        why = f"not {state.value}, which is {_whose(name)} {joined(_code([w]) for w in words)}"
        if refused:
            why += f", {'a status' if len(refused) == 1 else 'statuses'} its filter does not take"
        said.append(why.replace(" and `", " or `"))
    return said


def status_filters() -> str:
    """The listings ``--status`` is sent to, the states it is not sent for, and the
    listings of those services it is never sent to (``services.statusfilter``)."""
    listings = _listings()
    filtered = [(n, s, s.list.status_filter) for n, s in listings if s.list.status_filter]
    groups = []
    for several in (True, False):
        group = [(n, s, f) for n, s, f in filtered if f.named is several]
        if not group:
            continue
        said = joined(
            f"{n} (the `{f.param}` filter)" if several else f"{n} (`{f.param}`)"
            for n, _, f in group
        )
        said += (
            " for every state"
            if several
            else (", which take one status a call, for a state that one status gives")
        )
        if unfiltered := [why for n, s, _ in group for why in _unfiltered(n, s)]:
            said += f" ({'; '.join(unfiltered)})"
        groups.append(said)
    services = {s.name for _, s, _ in filtered}
    others = [n for n, s in listings if s.name in services and not s.list.status_filter]
    rest = f" ({joined(others)} included)" if others else ""
    text = f"{', '.join(groups)}. Every other service and listing{rest}"
    return textwrap.fill(text, 85, break_long_words=False, break_on_hyphens=False)


# -- wait --until ---------------------------------------------------------------------------


def until_words() -> str:
    """Each service's own words of ended jobs, those ``--until`` takes beside the states'."""
    said = []
    for spec in in_prose_order():
        words = [
            status
            for status, state in {**spec.documented_statuses, **spec.statuses}.items()
            if state.terminal and fold(status) not in NORMALISED
        ]
        if words:
            said.append(f"{_code(words)} ({spec.short_title})")
    return ", ".join(said)


# -- start ----------------------------------------------------------------------------------


def _option(option: StartOption, options: tuple[StartOption, ...]) -> str:
    value = "|".join(option.choices) if option.choices else option.metavar
    said = f"--{option.name} {value}" + (" ..." if option.multiple else "")
    for other in options:
        if other.requires == option.name:
            said += f" [{_option(other, options)}]"
    return said


def synopsis(create: Create) -> str:
    """The options as a usage line: the required first, one that needs another inside
    that one's brackets."""
    top = [option for option in create.options if option.requires is None]
    ordered = [o for o in top if o.required] + [o for o in top if not o.required]
    words = [
        _option(o, create.options) if o.required else f"[{_option(o, create.options)}]"
        for o in ordered
    ]
    if create.active_limit is not None:
        words.append("[--queue]")
    said = f"`{' '.join(words)}`".replace("|", "\\|")
    if create.label:
        said = f"{create.label}: {said}"
    return f"{said} ({create.note})" if create.note else said


def start() -> str:
    rows = []
    for spec in in_prose_order():
        for index, create in enumerate(_creates(spec)):
            command = f"`start {spec.name}`" if index == 0 else ""
            rows.append((command, synopsis(create), create.operation))
    return _table(("command", "options", "call"), rows)


# -- cancel ---------------------------------------------------------------------------------


def cancels() -> str:
    """Each cancel call, and the services that send it (each kind of their jobs alike)."""
    by_call: dict[str, list[str]] = {}
    for spec in in_prose_order():
        if spec.cancel is not None:
            kinds = kinds_of(spec)
            said = spec.short_title
            if len(kinds) > 1:
                labels = [k.create.label if k.create else k.name for k in kinds]
                said += f" (exports of {joined(labels)} alike)"
            by_call.setdefault(spec.cancel.operation, []).append(said)
    return "; ".join(
        f"{call} of {joined(f'of {s}' if i else s for i, s in enumerate(sayers))}"
        for call, sayers in by_call.items()
    )


def no_cancel() -> str:
    return joined(spec.short_title for spec in in_prose_order() if spec.cancel is None)


# -- download -------------------------------------------------------------------------------


def _members(source: FieldSource) -> str:
    if isinstance(source, Derived):
        return "/".join(f"`{path.rsplit('.', 1)[-1]}`" for path in source.paths)
    return f"`{source}`"


def fetched(spec: ServiceSpec) -> str:
    """What ``download`` fetches of one of the service's jobs, from ``Output``."""
    output = spec.output
    if output is None:
        return "nothing: the service writes no file"
    # Each kind of job has its destination; the first kind's names the members.
    where = spec.fields.destination
    if output.kind == "url":
        said = f"the file at {_members(where)}, fetched without AWS signing"
    elif output.kind == "manifest":
        said = (
            "the files the job's manifest lists, each checked against the MD5 listed "
            "for it, and the manifests"
        )
    elif output.keys_name_job:
        said = f"the objects under {_members(where)} whose key names the job"
    elif output.folder and not isinstance(where, Derived):
        said = f"every object in the folder {_members(where)}"
    else:
        said = f"every object under {_members(where)}/"
    return f"{said}{output.note}"


def download() -> str:
    rows = [(spec.name, fetched(spec)) for spec in in_prose_order()]
    return _table(("service", "what is fetched"), rows)


# -- IAM ------------------------------------------------------------------------------------


def _prefix(spec: ServiceSpec) -> Callable[[Iterable[str]], str]:
    """IAM's actions of the service: its model's signing name, then the operation."""
    metadata = botocore.session.get_session().get_service_model(spec.client).metadata
    prefix = metadata.get("signingName") or metadata["endpointPrefix"]
    return lambda operations: _code(f"{prefix}:{operation}" for operation in operations)


def _s3(spec: ServiceSpec) -> str:
    kind = spec.output.kind if spec.output else None
    if kind == "url":
        return "none: the URL is pre-signed"
    if kind == "manifest":
        return "`s3:GetObject` (the manifests and the files they list)"
    return "`s3:ListBucket`, `s3:GetObject`" if kind else NONE


def _with(actions: str, more: str) -> str:
    if not more:
        return actions
    return f"{actions} {more}" if more.startswith("(") else f"{actions}, {more}"


def permissions() -> str:
    rows = []
    for spec in in_prose_order():
        actions = _prefix(spec)
        calls = [spec.fan_out.parents.operation] if spec.fan_out else []
        for jobs in _jobs(spec):
            calls += [jobs.list.operation, jobs.get.operation]
        reads = actions(_unique(calls))
        if spec.searches is not None:
            searched = (spec.searches.get, spec.searches.backups.operation)
            reads += f"; `backups`: {actions(searched)}"
        starts = ", ".join(
            _with(actions([create.operation]), create.permissions) for create in _creates(spec)
        )
        cancels = actions([spec.cancel.operation]) if spec.cancel else NONE
        rows.append((spec.name, reads, starts or NONE, cancels, _s3(spec)))
    head = (
        "service",
        "read (`list`, `status`, `wait`, `watch`)",
        "`start`, `rerun`",
        "`cancel`",
        "`download`",
    )
    return _table(head, rows)


TABLES: dict[str, Callable[[], str]] = {
    "services": services,
    "scopes": scopes,
    "scope-names": scope_names,
    "status-filters": status_filters,
    "until-words": until_words,
    "start": start,
    "download": download,
    "permissions": permissions,
    "cancels": cancels,
    "no-cancel": no_cancel,
    "details": readme_records.details,
    "service-names": readme_records.names,
    "without-arn": readme_records.without_arn,
    "updated": readme_records.updated,
    "completed": readme_records.completed,
    "progress": readme_records.progress,
    "fan-out": readme_records.fan_out,
    "start-retries": readme_prose.retries,
    "start-by-name": readme_prose.by_name,
    "start-by-listing": readme_prose.by_listing,
    "start-whereabouts": readme_prose.whereabouts,
    "start-retries-table": readme_prose.retries_table,
    "start-times": readme_prose.time_options,
    "rerun-reused": readme_prose.rerun_reused,
    "rerun-fresh": readme_prose.rerun_fresh,
    "rerun-unreported": readme_prose.rerun_unreported,
    "record-id": lambda: readme_prose.record_field("id"),
    "record-name": lambda: readme_prose.record_field("name"),
    "record-created": lambda: readme_prose.record_field("created"),
    "record-message": lambda: readme_prose.record_field("message"),
    "eta-groups": readme_prose.eta_groups,
    "waiters": readme_prose.waiters,
    "cancellable": readme_prose.cancellable,
    "sandbox-services": readme_prose.sandbox_services,
    "sandbox-protocols": readme_prose.sandbox_protocols,
    "sandbox-cancellable": readme_prose.sandbox_cancellable,
    "url-outputs": readme_prose.url_outputs,
    "by-arn": readme_prose.by_arn,
    "listed-without-output": readme_prose.listed_without_output,
    "start-whole-uris": readme_places.whole_uris,
    "start-buckets": readme_places.bucket_options,
    "start-periods": readme_places.periods,
    "folder-destinations": readme_places.folder_destinations,
    "own-keys": readme_places.own_keys,
    "listed-less": readme_places.listed_less,
    "summarised": readme_places.summarised,
    "references": readme_refs.references,
    "sandbox-scale": readme_sandbox.scale_options,
    "sandbox-home-only": readme_sandbox.home_only,
    "sandbox-courses": readme_sandbox.courses,
    "sandbox-fails": readme_sandbox.fails,
    "sandbox-cancelling": readme_sandbox.cancelling,
}
# The documents besides README.md whose generated parts `make readme` writes too.
DOCS = ("docs/API.md", "docs/ARCHITECTURE.md", "docs/SANDBOX.md")


def render(text: str) -> str:
    """``text`` with every generated part made again from the specs."""

    def made(match: re.Match[str]) -> str:
        name, was = match.group(1), match.group(2)
        if name not in TABLES:
            raise ValueError(f"no table is generated as {name!r}")
        # A line break after the opening mark and before the closing one stays.
        lead = "\n" if was.startswith("\n") else ""
        trail = "\n" if was.endswith("\n") else ""
        new = f"{lead}{TABLES[name]()}{trail}"
        return f"<!-- generated: {name} -->{new}<!-- /generated -->"

    return MARKED.sub(made, text)
