"""Values for shell completion, read from local files only.

Completion runs on every Tab press: it never calls AWS and never imports boto3
or botocore. Profiles come from the AWS config files, regions from botocore's
endpoint data read as plain JSON (:mod:`exportctl.aws.regions`), references from
what `list` and `status` printed last (:mod:`exportctl.ops.refcache`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from exportctl.aws.profiles import profile_names

if TYPE_CHECKING:
    from exportctl.services.spec import ServiceSpec

# Where a Tab press keeps the global options given after the command (``ctx.meta``),
# which, hidden copies, have no value of their own in the context.
GIVEN_AFTER = "exportctl.globals_given_after"


def listed(values: Iterable[str], incomplete: str) -> list[CompletionItem]:
    """The values an option taking ``a,b`` lists may go on with: the word typed so far
    completed after its last comma, by a value not named before it."""
    head, comma, last = incomplete.rpartition(",")
    chosen = set(head.split(",")) if comma else set()
    return [
        CompletionItem(head + comma + value)
        for value in dict.fromkeys(values)
        if value.startswith(last) and value not in chosen
    ]


def complete_profile(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    return listed(profile_names(), incomplete)


def complete_region(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from exportctl.aws.regions import ALL_REGIONS, region_names

    # "all" takes no other region beside it.
    every = [] if "," in incomplete else [ALL_REGIONS]
    return listed([*every, *region_names()], incomplete)


def in_any_case(values: Iterable[str], incomplete: str) -> list[CompletionItem]:
    """The values the word typed so far begins, whatever its case (they are taken in
    any): in the case typed when the value's whole lower or upper form fits it
    (``--until=c`` offers ``completed``), else as spelled."""
    # The first of values that differ only in case (COMPLETED, and a service's completed).
    firsts: dict[str, str] = {}
    for value in values:
        firsts.setdefault(value.lower(), value)
    items = []
    for value in firsts.values():
        for form in (value, value.lower(), value.upper()):
            if form.startswith(incomplete):
                items.append(CompletionItem(form))
                break
        else:
            if value.lower().startswith(incomplete.lower()):
                items.append(CompletionItem(value))
    return items


def complete_until(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from exportctl.ops.conditions import accepted_words

    # `start SERVICE`'s subcommand is named for its service: its jobs' words alone.
    parent = ctx.parent.command.name if ctx.parent else None
    services = (ctx.command.name,) if parent == "start" and ctx.command.name else ()
    return in_any_case(accepted_words(services), incomplete)


Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _completing(offer: Callable[[str], list[CompletionItem]]) -> Completer:
    """A click completer offering what ``offer`` gives for the word typed so far."""

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return offer(incomplete)

    return complete


def choices_completer(choices: Sequence[str]) -> Completer:
    """A completer offering ``choices``, taken in any case."""
    return _completing(lambda incomplete: in_any_case(choices, incomplete))


def complete_ref(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Job references from the last `list`/`status` output; attach to any REF argument.

    Both the canonical form and the shorter one tables print are offered, whichever
    the word typed so far starts with.
    """
    return _refs(ctx, param, incomplete, None)


def refs_of(service: Callable[[], str | None]) -> Completer:
    """``complete_ref`` for a command that takes the jobs of one service alone (the one
    ``service`` names when Tab is pressed): its references only."""

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return _refs(ctx, param, incomplete, {service() or ""})

    return complete


def refs_where(offer: Callable[[ServiceSpec], bool]) -> Completer:
    """``complete_ref`` for a command that does something with the jobs of some
    services alone (those ``offer`` says yes to; it refuses the others): their
    references only, as its --service offers their names."""

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from exportctl.services import all_specs

        return _refs(ctx, param, incomplete, {spec.name for spec in all_specs() if offer(spec)})

    return complete


def _refs(
    ctx: click.Context, param: click.Parameter, incomplete: str, services: set[str] | None
) -> list[CompletionItem]:
    from exportctl.ops import refcache

    taken = set()
    if isinstance(param, click.Argument) and param.name:
        earlier = ctx.params.get(param.name) or ()
        taken = set(earlier if isinstance(earlier, (tuple, list)) else (earlier,))
    items: list[CompletionItem] = []
    seen: set[str] = set()
    # The line's region, read at the first shorter form that matches (it may read the
    # config files), and then kept; so are its credentials.
    here: list[str | None] = []
    whose: list[str] = []
    for entry in refcache.load():
        if services is not None and entry.service not in services:
            continue
        for form in (entry.ref, entry.shown):
            if form.startswith(incomplete) and form not in seen and entry.ref not in taken:
                if form != entry.ref and refcache.region_of(form) is None:
                    # The shorter form leaves out the region it was printed in: it finds
                    # that job only where the line reads references in that region.
                    here = here or [line_region(ctx)]
                    if here[0] is None or entry.region != here[0]:
                        continue
                if (
                    form != entry.ref
                    and refcache.account_of(form) is None
                    and (refcache.account_of(entry.ref))
                ):
                    # One made from an ARN leaves out its account too: with other
                    # credentials it names their job of that id. Whose they are is
                    # not known without a call, so only those it was printed with.
                    whose = whose or [line_credentials(ctx)]
                    if not whose[0] or entry.where != whose[0]:
                        continue
                seen.add(form)
                items.append(CompletionItem(form, help=entry.about or None))
                break
    return items


def line_region(ctx: click.Context) -> str | None:
    """The one region the command being completed reads a reference without its
    region in, as its clients will find it (``Clients.default_region``, the embedded
    sandbox's settings), from the line, the environment and the config files alone:
    --region, else AWS_REGION, AWS_DEFAULT_REGION, the profile's; with --sandbox and
    no profile, or one that names no region, the sandbox's. None: no region, or
    several (--region a,b or all, the accounts of --profile a,b or --org-role), where
    such a reference is looked for in each."""
    import os

    from exportctl.aws.profiles import profile_region

    given = _given(ctx)
    regions, profiles = (_each(given.get(name, ())) for name in ("region", "profile"))
    if len(regions) > 1 or len(profiles) > 1 or "all" in regions or given.get("org_role"):
        return None
    if regions:
        return regions[0]
    env = os.environ
    profile = profiles[0] if profiles else env.get("AWS_DEFAULT_PROFILE") or env.get("AWS_PROFILE")
    region = (
        env.get("AWS_REGION", "").strip()
        or env.get("AWS_DEFAULT_REGION", "").strip()
        or (profile_region(profile or "default") if profile or not given.get("sandbox") else None)
    )
    if given.get("sandbox") and not (profile and region):
        from exportctl.sandbox.home import HOME_REGION

        return HOME_REGION
    return region or None


def line_credentials(ctx: click.Context) -> str:
    """The credentials the command being completed reads references with, as
    :func:`exportctl.ops.refcache.credentials_named` names them; "" where they cannot
    be told without a call."""
    import os

    from exportctl.ops.refcache import credentials_named

    given = _given(ctx)
    return credentials_named(
        _each(given.get("profile", ())),
        sandbox=bool(given.get("sandbox")),
        several=bool(given.get("org_role")),
        environ=os.environ,
    )


def _given(ctx: click.Context) -> dict[str, Any]:
    """The global options the line gives, before the command or after it."""
    given = {
        name: value
        for name, value in ctx.find_root().params.items()
        if value is not None and value is not False and value != ()
    }
    given.update(ctx.meta.get(GIVEN_AFTER, {}))
    return given


def _each(values: Sequence[str]) -> list[str]:
    """The values of an option given as ``a,b`` or repeated, one by one."""
    return [v for value in values for v in (p.strip() for p in value.split(",")) if v]


def fields_completer(fields: Sequence[str]) -> Completer:
    """A --fields completer offering ``fields``, completing the name after the last comma."""
    return _completing(lambda incomplete: listed(fields, incomplete))
