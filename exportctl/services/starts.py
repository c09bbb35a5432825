"""What ``exportctl start`` and ``exportctl cancel`` do of a service, as its spec
declares it (``ServiceSpec.create``, ``Kind.create``, ``ServiceSpec.cancel``): the
options of ``start SERVICE`` and the request members they fill, how the create is
made to happen exactly once, the service's documented limits, and the call that
stops a running job. Re-exported by ``spec``, where the specs import them from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from exportctl.domain.jobkey import JobKey

# What an "int" option takes: a version or a count, which the models' 32-bit
# integers hold.
WHOLE = (1, 2**31 - 1)


@dataclass(frozen=True)
class StartOption:
    """One option of ``exportctl start SERVICE``: what it means and where it goes.

    ``put`` is the dotted request member the value goes to, or a function giving the
    request members (merged into the request) for the value. ``record`` is the
    record field (``details.dataset_arn``, ``destination``) the value is read back
    from: what ``rerun`` reuses and what a listed job is compared with.
    """

    name: str
    help: str
    put: str | Callable[[Any], Mapping[str, Any]]
    record: str | None = None
    required: bool = False
    multiple: bool = False
    # "text", "int" (a whole number within ``WHOLE``), "time" (an ISO date or time,
    # or a duration ago: 2h), "word" (an enum value the service spells in capitals: any
    # case is taken) or "lower" (one it spells in lower case).
    kind: str = "text"
    metavar: str = "TEXT"
    # The values a "word" or "lower" option takes, as the model's enum spells them:
    # what Tab offers (completion reads no model). A test compares them with the model.
    choices: tuple[str, ...] = ()
    # Only meaningful together with this other option...
    requires: str | None = None
    # ...and only when that one has this value, as the model's enum spells it.
    requires_value: str | None = None
    # Not together with this other option (a full export's time, an incremental one's).
    excludes: str | None = None
    # What is wrong with a value the model cannot tell (a bucket given as a URI, a
    # name in a form the service documents it refuses), in a few words; None when
    # nothing is. Run before anything is sent, on each value of a ``multiple`` one.
    check: Callable[[Any], str | None] | None = None
    # An empty value is one the service takes (a prefix: the bucket's top); any other
    # option given empty is refused, as the service would refuse it or take it for
    # nothing (an empty filter, a request path with no id).
    empty: bool = False
    # The value as the service takes it, made from one the check passed (an S3 URI's
    # scheme in lower case): what is sent, shown by --dry-run and compared with jobs.
    normal: Callable[[Any], Any] | None = None
    # What the job exports, whose region is where the job is made (the service's
    # create answers there alone): True, its ARN's region; a function, the region
    # the value names in any of its forms (None where it names none).
    places: bool | Callable[[str], str | None] = False

    def needs_met(self, given: Mapping[str, Any]) -> bool:
        """Whether ``given`` (option values by their Python names) holds what this
        option needs: ``requires``, at ``requires_value`` when there is one."""
        if self.requires is None:
            return True
        value = given.get(self.requires.replace("-", "_"))
        if value is None:
            return False
        # A word is taken in any case, and with '-' for the model's '_'.
        wanted = self.requires_value
        return wanted is None or str(value).upper().replace("-", "_") == wanted

    def spelled(self, value: Any) -> Any:
        """``value`` as the service spells a word (a "word" in capitals, a "lower" one
        in lower case, either taken in any case); any other value as given."""
        if self.kind not in ("word", "lower") or not isinstance(value, str):
            return value
        word = value.strip()
        return word.upper() if self.kind == "word" else word.lower()

    def chosen(self, value: Any) -> bool:
        """Whether ``value`` is one of ``choices`` (any, where there are none), with
        '-' for the model's '_' as the request takes it (new-image: NEW_IMAGE)."""
        word = str(self.spelled(value))
        return not self.choices or word in self.choices or word.replace("-", "_") in self.choices

    def needs(self, named: Callable[[str], str]) -> str:
        """What this option needs, as the caller's user gives it (``--sse KMS``)."""
        assert self.requires is not None
        said = named(self.requires)
        return f"{said} {self.requires_value}" if self.requires_value else said


def bucket_name(value: Any) -> str | None:
    """The problem of a value that should be an S3 bucket's name: a URI or a path
    (names of buckets made before 2018 may hold capitals or ``_``: those pass)."""
    text = str(value)
    if text.lower().startswith("s3://"):
        return "a bucket's name, not an s3:// URI (the folder goes in --prefix)"
    if "/" in text:
        return "a bucket's name has no '/' (the folder goes in --prefix)"
    return None


def s3_uri(value: Any) -> str | None:
    """The problem of a value that should be an ``s3://BUCKET/PREFIX`` URI: another
    scheme, a path, or no bucket (the request would name a bucket of ``""`` or
    ``http:``)."""
    bucket = s3_parts(str(value))[0]
    if not bucket:
        return "takes s3://BUCKET/PREFIX (a bucket, then the folder)"
    return bucket_name(bucket)


def s3_scheme(value: Any) -> str:
    """An S3 URI :func:`s3_uri` passed, its scheme written ``s3://``: the one form
    Personalize's model takes and Pinpoint's documentation gives, for a service
    that is sent the URI whole (the others are sent its bucket and prefix)."""
    text = str(value)
    return f"s3://{text[5:]}" if text[:5].lower() == "s3://" else text


def s3_parts(uri: str) -> tuple[str, str]:
    """The bucket and the prefix of ``s3://BUCKET/PREFIX``, its scheme written in any
    case (as :func:`s3_uri` takes it); no bucket from another scheme."""
    if uri[:5].lower() != "s3://":
        return "", ""
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix


@dataclass(frozen=True)
class ActiveLimit:
    """A documented limit on the jobs a service runs at once, per account and region,
    that ``start`` checks before it sends the create: ``count`` jobs in ``statuses``
    (listed one status word at a time through ``filter``, a request member of the
    listing, when it has one) leave no slot. ``says`` is the limit in a sentence, the
    service named. Without a slot, ``start`` names the jobs that hold them, and with
    ``--queue`` waits for one."""

    count: int
    statuses: tuple[str, ...]
    says: str
    filter: str | None = None


@dataclass(frozen=True)
class Create:
    """The operation that starts a job, and how it is made to happen exactly once.

    ``idempotency``:
      ``token``   the request carries a client token (``token``), one per command,
                  the same on every retry: the service answers a retry with the job
                  the first attempt made;
      ``name``    the job has a unique name (``name``): after an attempt whose outcome
                  is unknown, "already exists" is our job when its parameters match;
      ``listing`` neither: after an attempt whose outcome is unknown, the listing is
                  searched for a job that was not there before and has our parameters.
    """

    operation: str
    options: tuple[StartOption, ...]
    # Where the answer names the new job.
    id: str
    idempotency: Literal["token", "name", "listing"]
    arn: str | None = None
    parent: str | None = None
    # The answer holds the whole new job here (Pinpoint).
    item: str | None = None
    token: str | None = None
    name: str | None = None
    # The readable start of a generated name, from the request (the dataset's name).
    name_hint: Callable[[Mapping[str, Any]], str] | None = None
    # The longest name the service takes, where its model gives no maximum (RDS's
    # identifiers: 60): a generated name is cut to fit.
    name_max: int | None = None
    # What ``rerun``'s help says a rerun of one of its jobs takes from it, the service
    # named first ("Discovery time range"), and what a rerun cannot take, if anything
    # (a sentence): the options whose values the service does not report.
    reused: str = ""
    not_reused: str | None = None
    # Record fields a job may have that no option of ``start`` gives (DynamoDB's
    # filter): a rerun of a job that has one would not be the same job, and is
    # refused, with the reason given here.
    unrepeatable: Mapping[str, str] = field(default_factory=dict)
    # ``list`` scope options that narrow the listing to where the new job will be.
    listing_scope: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    # The new job's ARN, known from the request before any answer (a named job in
    # the account of the resource it exports): read without searching the listing.
    arn_of: Callable[[Mapping[str, Any]], str] | None = None
    # The examples `exportctl start SERVICE --help` ends with, as written there (a
    # line ending in a backslash goes on): those with --sandbox name the sandbox's
    # resources and run there as written.
    examples: tuple[str, ...] = ()
    # Error codes of the create that mean a documented limit of the service was met,
    # and that limit in a sentence: such an answer is final (waiting seconds will not
    # lift it), and its error says the limit, not just the service's words.
    quotas: Mapping[str, str] = field(default_factory=dict)
    # Error codes of the create that mean AWS found a value the user gave invalid
    # (an export time out of the service's range), and why in a sentence: final, and
    # said as bad input (exit 2), as a ValidationException is.
    invalid: Mapping[str, str] = field(default_factory=dict)
    # Not-found codes of the create and the options whose values name what was not
    # found (RDS's DBClusterNotFoundFault: --source-arn): its error asks the user to
    # check those alone. Without a row, every option given an id or an ARN.
    not_found: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The limit ``start`` checks before it sends the create (one of ``quotas``'s).
    active_limit: ActiveLimit | None = None
    # Periods, as the names of the time options of their start and their end (which
    # defaults to now): a start not before its end is refused before anything is sent.
    periods: tuple[tuple[str, str], ...] = ()
    # The shortest and the longest a period may be, by its pair of ``periods``, where
    # the service documents a range (DynamoDB's incremental exports).
    spans: Mapping[tuple[str, str], tuple[timedelta, timedelta]] = field(default_factory=dict)
    # README.md's tables (tests/readme_tables.py): what a job of this create is, where
    # a service has several ("an image"); a remark after its options in the table of
    # ``start``, in parentheses there; and what IAM must allow besides the operation
    # (a role to pass, a key's grants), after the action in the table of permissions.
    label: str = ""
    note: str = ""
    permissions: str = ""


@dataclass(frozen=True)
class Cancel:
    """The call that stops a running job: ``params`` builds its request from the parsed
    reference. Services without one have ``ServiceSpec.cancel`` None."""

    operation: str
    params: Callable[[JobKey], dict[str, Any]]


def check_create(service: str, create: Create) -> None:
    """What a create names that only a start would find wrong, refused as its spec is
    made (``ServiceSpec``), naming the service and the key."""
    options = {option.name for option in create.options}
    named = [
        (f"option {o.name}'s {key}", name)
        for o in create.options
        for key, name in (("requires", o.requires), ("excludes", o.excludes))
        if name
    ]
    named += [("periods", name) for period in (*create.periods, *create.spans) for name in period]
    named += [
        (f"not_found {code!r}", name) for code, names in create.not_found.items() for name in names
    ]
    for where, name in named:
        if name not in options:
            raise ValueError(f"{service}: Create's {where} {name!r} is not one of its options")
    if create.idempotency in ("token", "name") and getattr(create, create.idempotency) is None:
        raise ValueError(f"{service}: Create's idempotency {create.idempotency!r} needs its member")
