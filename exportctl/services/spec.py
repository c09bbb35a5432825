"""The declarative description of a service's export jobs.

A service is data: the operations to call, where items and tokens are in an answer,
the members holding the id, the ARN and the status, and how its status words map onto
the normalised states; the engine (``engine.py``) does the rest. The command line is
made from it too: names, titles, options, and every sentence of help naming a service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from exportctl.domain.jobkey import JobKey
from exportctl.domain.model import Progress, State
from exportctl.domain.naming import Named

# What ``download`` fetches, what ``backups`` reads, what ``start`` and ``cancel``
# send; those re-exported (``as``) are for the specs that import them from here.
from exportctl.services.outputs import Manifest as Manifest
from exportctl.services.outputs import Output as Output
from exportctl.services.starts import ActiveLimit as ActiveLimit
from exportctl.services.starts import Cancel as Cancel
from exportctl.services.starts import Create as Create
from exportctl.services.starts import StartOption as StartOption
from exportctl.services.starts import bucket_name as bucket_name
from exportctl.services.starts import check_create
from exportctl.services.starts import s3_parts as s3_parts
from exportctl.services.starts import s3_scheme as s3_scheme
from exportctl.services.starts import s3_uri as s3_uri

if TYPE_CHECKING:  # made by the specs of services with searches alone, not every command
    from exportctl.services.searches import SearchMembers, SearchStates

Raw = Mapping[str, Any]


@dataclass(frozen=True)
class Derived:
    """A value computed from several members; ``paths`` are what it consumes."""

    paths: tuple[str, ...]
    fn: Callable[[Raw], Any]


FieldSource = str | Derived | None


@dataclass(frozen=True)
class Fields:
    """Where each ExportJob field comes from in one raw job (dotted paths)."""

    id: FieldSource
    status: FieldSource
    arn: FieldSource = None
    name: FieldSource = None
    created: FieldSource = None
    updated: FieldSource = None
    completed: FieldSource = None
    destination: FieldSource = None
    message: FieldSource = None
    # The job's parent, for services whose jobs live under one (Pinpoint application).
    parent: FieldSource = None
    # ``completed`` from ``updated`` once terminal, for services without a completion time.
    completed_is_last_update: bool = False
    # The state where the status word alone does not say it (EC2's deleted: cancelled,
    # or failed as its message says): ``fn`` gives a State, or None for the table's.
    state: Derived | None = None
    # The states ``state`` may give a job of a word beyond the table's (EC2's deleted:
    # FAILED), so that a listing's status filter sends that word for them.
    other_states: Mapping[str, frozenset[State]] = field(default_factory=dict)
    progress: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, FieldSource] = field(default_factory=dict)
    # The job's botocore map shapes (dotted paths, ``*`` for any key of a map): their
    # keys are data (tag names), kept as given in details, where member names are
    # snake_cased; and values kept whole (DynamoDB JSON). ``services.snakecase``.
    maps: tuple[str, ...] = ()
    as_given: tuple[str, ...] = ()
    # Fields no job record can do without: an item lacking one is a broken answer,
    # whatever the model marks required (it leaves Personalize's status optional).
    required: tuple[str, ...] = ("id", "status")
    # What README.md's table of the record says a field holds for these jobs where
    # the member's name does not (RDS's created: when the task started), by field.
    notes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusFilter:
    """A listing's own filter by status word, as its API documents it: a listing of
    some states sends the words they can come from (``services.statusfilter``).

    ``param``: the request member that takes one word a call (CloudWatch Logs'
    ``statusCode``), or, ``named``, the name of a filter of ``Filters=[{"Name":
    param, "Values": [...]}]``, which takes several (RDS's ``status``). ``words``: the
    status words the API documents the filter takes; ``value``: a word as the filter
    takes it (RDS: in lower case). ``not_listed``: the service's words the API
    documents this listing's jobs never carry (another kind's)."""

    param: str
    words: frozenset[str]
    named: bool = False
    value: Callable[[str], str] | None = None
    not_listed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Page:
    """One paginated call: where its items and tokens are."""

    operation: str
    items: str
    input_token: str
    output_token: str
    limit_key: str | None = None
    limit: int | str | None = None
    # The listing's filter by status word, where its API has one.
    status_filter: StatusFilter | None = None


@dataclass(frozen=True)
class FanOut:
    """Jobs that are listed per parent (Pinpoint: per application, found with GetApps)."""

    parents: Page
    parent_id: str
    param: str
    # Members of the parent's item that each job listed under it carries in its
    # details (detail name -> path): known only when the parents were listed.
    details: Mapping[str, str] = field(default_factory=dict)
    # A parent in a message: one given by id that the service says does not exist.
    noun: str = "parent"


@dataclass(frozen=True)
class Get:
    """Describe one job: ``params`` builds the request from the parsed reference.

    ``by_arn``: the call takes the job's ARN, so a bare name is first looked up
    in the listing.
    """

    operation: str
    item: str
    params: Callable[[JobKey], dict[str, Any]]
    by_arn: bool = False


@dataclass(frozen=True)
class Batch:
    """Describe many jobs in one call (the listing's, ``list``), by a list parameter
    of ids: ``exportctl.ops.batches``.

    ``whole_call_fails``: the service fails the whole call for one id it does not
    know or cannot read (EC2: InvalidExportTaskID.NotFound, naming it), where others
    leave it out of the answer: such a batch is read again one call an id. Ids are
    matched as given: those that batch (Discovery, EC2) know an id in the case they
    made it in only, where a get's answer is compared without regard to case (RDS)."""

    param: str
    max_ids: int
    whole_call_fails: bool = False


@dataclass(frozen=True)
class Scope:
    """An option of ``list`` and ``watch``, ``--NAME VALUE``, that narrows the service's
    listing: the commands make the option (help, metavar, completion) from this."""

    name: str
    # The request parameter the value goes to (or, ``selects_parents``, the fan-out's).
    param: str
    help: str
    metavar: str = "TEXT"
    # Repeatable: the listing takes any of the values given.
    multiple: bool = False
    # The option scopes the fan-out's parents instead of adding a request parameter.
    selects_parents: bool = False
    # What the request takes from the value given (an id from an id or ARN).
    convert: Callable[[str], str] | None = None
    # The region a value names in a form of its own (search-job:REGION:ID), as an ARN's.
    region: Callable[[str], str | None] | None = None
    # What Tab offers for the value, given the word typed so far. Called on every Tab
    # press: it reads local data only (no AWS call, no botocore).
    complete: Callable[[str], Iterable[str]] | None = None
    # What README.md's table of ``list``'s options says of it besides ``help``: how the
    # value is sent, what a bad one gives (sentences).
    notes: str = ""

    @property
    def key(self) -> str:
        """The option's name in a query's scope and in the command's values (search_job)."""
        return self.name.replace("-", "_")


@dataclass(frozen=True)
class ArnForm:
    service: str
    resource: str
    # The jobs are resources under another resource of type ``resource``: their ARNs
    # read RESOURCE/NAME/NESTED/ID (DynamoDB exports: table/NAME/export/ID).
    nested: str | None = None


@dataclass(frozen=True)
class SearchJobs:
    """The searches whose results the service's export jobs export, and the backups each
    looked at (``exportctl backups``): a final list only once the search is ``final``."""

    arn: ArnForm
    # The call that describes one search, and the request member naming it (in both calls).
    get: str
    param: str
    backups: Page
    final: str
    # The status words of a backup in that list, and those of one that was not searched.
    backup_statuses: tuple[str, ...]
    problem_statuses: tuple[str, ...]
    # The export job's detail that holds its search's ARN.
    detail: str
    # Where their fields are in the answers, and what their status words mean.
    members: SearchMembers
    states: SearchStates
    # The maps of ``get``'s answer, as ``Fields.maps``.
    maps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summaries:
    """A listing whose items lack what a record shows (DynamoDB's ListExports: an ARN,
    a status and a type): each listed item is described with ``get`` before it becomes
    a record, up to ``concurrency`` at once (fewer where a listing's cap on calls in
    flight per account and region leaves no room: ``exportctl.ops.listing.slots``),
    every describe an API call like the others (counted, retried, under the
    deadline). Finding a job's ARN by its id reads the summaries alone; a job the
    listing names but whose describe says it is gone keeps what the listing said."""

    concurrency: int = 8


@dataclass(frozen=True)
class Kind:
    """Jobs with a listing, get, members, create and batch of their own (EC2's instance
    exports, beside its image exports), sharing the rest of the service's spec: a job
    whose id starts with ``id_prefix`` is of this kind (``services.kinds``). Jobs of
    one kind are read together where it has a batch, each kind in calls of its own."""

    id_prefix: str
    fields: Fields
    get: Get
    list: Page
    create: Create | None = None
    batch: Batch | None = None


# Identity, not value, equality: one spec per service, usable as a cache key.
@dataclass(frozen=True, eq=False)
class ServiceSpec:
    name: str
    title: str
    client: str
    statuses: Mapping[str, State]
    fields: Fields
    get: Get
    list: Page
    arn: ArnForm | None = None
    # Compact reference prefix, for jobs that have no ARN (``pinpoint:``).
    prefix: str | None = None
    # Number of '/'-separated parts in a compact reference id (Pinpoint: APP/JOB).
    id_parts: int = 1
    aliases: tuple[str, ...] = ()
    fan_out: FanOut | None = None
    # Where the service has kinds, its own kind's (each other kind's: ``Kind.batch``).
    batch: Batch | None = None
    scopes: tuple[Scope, ...] = ()
    # Extra states the documentation mentions that the current model does not list.
    documented_statuses: Mapping[str, State] = field(default_factory=dict)
    # A one-line reason for errors meaning the service is out of reach as a whole.
    explain: Callable[[str, str, Named], str | None] = lambda code, message, named: None
    # Codes meaning it answers this account in one other region alone (its home
    # region): a listing over regions that reached that one misses nothing elsewhere.
    elsewhere: frozenset[str] = frozenset()
    # Several jobs of one parent can be read back from the parent's listing (``list``
    # with ``fan_out.param``): fewer calls than one ``get`` each when they outnumber
    # the listing's pages. Used when many jobs are polled at once.
    refresh_by_parent: bool = False
    # Status words of jobs still running that can no longer end in some states
    # (Pinpoint FAILING: it will be FAILED, never COMPLETED): waiting for one of
    # those states is over as soon as the job is seen in such a status.
    doomed: Mapping[str, frozenset[State]] = field(default_factory=dict)
    # How ``exportctl start`` creates a job of this service.
    create: Create | None = None
    # How ``exportctl cancel`` stops one.
    cancel: Cancel | None = None
    # A record field whose jobs take alike (Personalize: the dataset): estimates use
    # the durations of that group's jobs when there are enough of them.
    eta_group: str | None = None
    # ARNs of the service's other resources people paste where an export job's is
    # wanted, by resource type: what to run for one instead (ARN stands for the ARN).
    related_arns: Mapping[str, str] = field(default_factory=dict)
    # The service's name where the help names it in a sentence (its title without
    # the provider's name: "Backup Search"), and where it comes when the help names
    # every service in one (lowest first).
    short_title: str = ""
    rank: int = 100
    # The title README.md's table of services gives it, where the title alone does not
    # say what its export jobs export ("Amazon DynamoDB (table exports to S3)").
    long_title: str = ""
    # Where a completed job's output is, for ``download``.
    output: Output | None = None
    # The searches whose results its export jobs export, for ``backups``.
    searches: SearchJobs | None = None
    # The listing's items are summaries (no times, no details): each is described.
    summaries: Summaries | None = None
    # Jobs of other kinds, from listings of their own (EC2: instance exports beside
    # image exports): see ``Kind``.
    kinds: tuple[Kind, ...] = ()

    def __post_init__(self) -> None:
        # A title without a provider's name is its own short title.
        if not self.short_title:
            object.__setattr__(self, "short_title", self.title)
        if not self.long_title:
            object.__setattr__(self, "long_title", self.title)
        if self.kinds and (self.fan_out or self.summaries):
            raise ValueError(f"{self.name}: a service with kinds has no parents nor summaries")
        for own in (self.fields, *(kind.fields for kind in self.kinds)):
            _check_fields(self.name, own)
        for create in (self.create, *(kind.create for kind in self.kinds)):
            if create is not None:
                check_create(self.name, create)

    def operations(self) -> frozenset[str]:
        """Every API operation exportctl calls on the service's client."""
        pages = [self.list, *(k.list for k in self.kinds)]
        if self.fan_out is not None:
            pages.append(self.fan_out.parents)
        names = {page.operation for page in pages}
        names.update(get.operation for get in (self.get, *(k.get for k in self.kinds)))
        creates = (self.create, *(k.create for k in self.kinds))
        names.update(create.operation for create in creates if create is not None)
        if self.cancel is not None:
            names.add(self.cancel.operation)
        if self.searches is not None:
            names.update((self.searches.get, self.searches.backups.operation))
        return frozenset(names)

    def can_reach(self, status: str | None, state: State) -> bool:
        """Whether a job in ``status`` may still end in ``state``, as far as the spec knows."""
        return status is None or state not in self.doomed.get(status, frozenset())

    def state_of(self, status: str | None) -> State:
        if status is None:
            return State.UNKNOWN
        return self.statuses.get(status) or self.documented_statuses.get(status) or State.UNKNOWN


# What a spec names that only a job's reading or a start would find wrong (Progress
# refused its keyword on the first job carrying the member: exit 70): refused as the
# spec is made, naming the spec and the key.
_PROGRESS = tuple(f.name for f in fields(Progress))
_SOURCES = tuple(f.name for f in fields(Fields) if f.type == "FieldSource")


def _check_fields(service: str, given: Fields) -> None:
    named = [("progress key", key, _PROGRESS) for key in given.progress]
    for what, names in (("required field", given.required), ("notes' field", given.notes)):
        named += [(what, name, _SOURCES) for name in names]
    for what, name, known in named:
        if name not in known:
            raise ValueError(f"{service}: Fields' {what} {name!r} is not one of {', '.join(known)}")


def canonical_ref(
    spec: ServiceSpec,
    region: str,
    job_id: str,
    *,
    parent: str | None,
    arn: str | None,
    account: str | None = None,
) -> str:
    """The reference stored in a job record: an ARN, else a region-qualified compact form
    (account-qualified too when ``account`` is given)."""
    if arn:
        return arn
    prefix = spec.prefix or spec.name
    tail = f"{parent}/{job_id}" if parent else job_id
    where = f"{account}:{region}" if account else region
    return f"{prefix}:{where}:{tail}"
