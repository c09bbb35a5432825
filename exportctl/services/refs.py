"""Job references: what ``list`` prints and ``status``/``wait`` accept back.

Forms:
  arn:PARTITION:personalize:REGION:ACCOUNT:dataset-export-job/NAME
  arn:PARTITION:backup-search:REGION:ACCOUNT:search-export-job/ID
  arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME/export/ID
  pinpoint:[[ACCOUNT:]REGION:]APP_ID/JOB_ID
  discovery:[[ACCOUNT:]REGION:]EXPORT_ID
  rds:[[ACCOUNT:]REGION:]IDENTIFIER, logs:[[ACCOUNT:]REGION:]TASK_ID,
  ec2:[[ACCOUNT:]REGION:]EXPORT_TASK_ID (the services whose jobs have no ARN)
  backupsearch:[[ACCOUNT:]REGION:]ID
  SERVICE:[[ACCOUNT:]REGION:]ID, a service with an ARN by its name (the job's id or
  name, looked up in the listing)
  a bare id (Pinpoint: APP_ID/JOB_ID) with --service (the API: service=)

The account (12 digits) is written when more than one account is in play, so
that a reference says whose credentials read it back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from exportctl.domain.errors import ExportctlError, UsageError, clip
from exportctl.domain.jobkey import ACCOUNT, ID, ID_LONGEST, PARTITIONS, REGION, JobKey
from exportctl.domain.model import ExportJob
from exportctl.services import all_specs, spec_for
from exportctl.services.forms import Named, flag
from exportctl.services.spec import ArnForm, ServiceSpec, canonical_ref

__all__ = [
    "JobKey",
    "arn_form",
    "canonical_ref",
    "compact_form",
    "compact_ref",
    "id_form",
    "parse",
    "short_ref",
    "with_account",
]

# Any ARN's parts, so that what is wrong with one can be said part by part.
_ARN = re.compile(
    r"^arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):"
    r"(?P<resource>.+)$"
)


def accepted_forms(named: Named = flag) -> str:
    forms = [form for spec in all_specs() if (form := arn_form(spec))]
    # _parse takes every service's compact form, those with an ARN by their name.
    forms += [compact_form(spec) for spec in all_specs()]
    forms.append(f"ID with {named('service')}")
    forms.append("PREFIX:ACCOUNT:REGION:ID (several accounts)")
    return "; ".join(forms)


def arn_form(spec: ServiceSpec) -> str | None:
    """The ARN of the service's jobs, as :func:`parse` reads it; None: they have none."""
    if spec.arn is None:
        return None
    return f"arn:aws:{spec.arn.service}:REGION:ACCOUNT:{_resource_form(spec.arn)}/{id_form(spec)}"


def compact_form(spec: ServiceSpec, *, account: bool = False) -> str:
    """The service's compact reference; ``account``: with the account that may come first."""
    where = "[[ACCOUNT:]REGION:]" if account else "[REGION:]"
    return f"{spec.prefix or spec.name}:{where}{id_form(spec)}"


def _resource_form(arn: ArnForm) -> str:
    return f"{arn.resource}/NAME/{arn.nested}" if arn.nested else arn.resource


def _nested_id(arn: ArnForm, resource_type: str, rest: str) -> str | None:
    """The job's id in an ARN's RESOURCE/NAME/NESTED/ID; None for any other form."""
    if not arn.nested or resource_type != arn.resource:
        return None
    owner, sep, inner = rest.partition(f"/{arn.nested}/")
    if sep and owner and inner and "/" not in owner and "/" not in inner:
        return inner
    return None


def id_form(spec: ServiceSpec) -> str:
    if spec.id_parts == 2:
        return "APP_ID/JOB_ID"
    # A job whose id is the name it was given is found by that name.
    return "NAME" if spec.fields.name is not None and spec.fields.id == spec.fields.name else "ID"


class _Bad(Exception):
    """What is wrong with a reference: :func:`parse` says it with the accepted forms,
    as its caller's user names the options in them."""

    def __init__(self, ref: str, why: str) -> None:
        super().__init__(why)
        self.ref, self.why = ref, why


def _bad(ref: str, why: str) -> _Bad:
    return _Bad(ref, why)


def _a(title: str) -> str:
    return "an" if title[:1] in "AEIOU" else "a"


def parse(
    ref: str,
    service: str | None = None,
    named: Named = flag,
    forms: Callable[[Named], str] = accepted_forms,
) -> JobKey:
    """The job ``ref`` names (``service``: of a bare id); ``named``: how the caller's
    user gives an option (``--service``, the API's ``service``), in messages;
    ``forms``: what a bad reference is told its caller accepts."""
    try:
        key = _parse(ref, service, named)
        if key.region:
            _check_region(ref, key)
    except _Bad as bad:
        raise UsageError(
            f"bad reference '{clip(bad.ref)}': {bad.why}; accepted forms: {forms(named)}"
        ) from None
    return key


# Regions references named that botocore's data knows, and the partition each is in
# (None: the data says none): checked once a process (a listing parses every job's
# reference).
_KNOWN_REGIONS: dict[str, str | None] = {}


def _check_region(ref: str, key: JobKey) -> None:
    """A region botocore's data knows, and of the partition the ARN names."""
    assert key.region is not None
    if key.region not in _KNOWN_REGIONS:
        from exportctl.aws.regions import check_region, partition_of

        # A mistyped region would be asked for the job (a name no endpoint has).
        check_region(key.region, source=f"reference '{clip(ref)}'")
        _KNOWN_REGIONS[key.region] = partition_of(key.region)
    partition = _KNOWN_REGIONS[key.region]
    named = key.arn.split(":")[1] if key.arn else None
    if partition and named and named != partition:
        # The ARN's partition would be ignored: the job would be asked for where no
        # such ARN can be (an aws-cn ARN in us-east-1, an aws one in China).
        raise _bad(ref, f"region '{key.region}' is of partition {partition}, not the ARN's {named}")


def _not_a_region(ref: str, name: str) -> _Bad:
    """What a reference whose region part is no region is told; one in capitals
    (`US-EAST-1`) as --region tells it, with its lower case as the suggestion."""
    if REGION.match(name.lower()):
        from exportctl.aws.regions import check_region

        check_region(name, source=f"reference '{clip(ref)}'")
    return _bad(ref, f"'{clip(name)}' is not a region")


def _parse(ref: str, service: str | None, named: Named) -> JobKey:
    text = ref.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        # Pasted with the quotes a shell or a JSON document had around it.
        text = text[1:-1].strip()
    if not text:
        raise _bad(ref, "it is empty")
    if text.startswith("arn:"):
        return _parse_arn(ref, text, all_specs(), service)
    head, sep, rest = text.partition(":")
    if sep:
        spec = _prefixed(head)
        if spec is None:
            raise _bad(ref, f"'{clip(head)}' is not a service prefix")
        if service and spec_for(service).name != spec.name:
            raise _bad(ref, f"it is a {spec.name} reference, not {service}")
        return _parse_compact(ref, spec, rest)
    if service is None:
        raise _bad(ref, f"a bare id needs {named('service')}")
    spec = spec_for(service)
    return _parse_id(ref, spec, text, None)


def _prefixed(head: str) -> ServiceSpec | None:
    """The service whose compact references begin with ``head``."""
    for spec in all_specs():
        # canonical_ref writes NAME:REGION:ID for a job with neither ARN nor prefix.
        if head.lower() in (spec.prefix or spec.name, spec.name, *spec.aliases):
            return spec
    return None


def named_service(ref: str) -> str | None:
    """The service ``ref`` names by its form alone (an ARN's service, a compact
    reference's prefix), the rest unchecked; None: a bare id, or no service's."""
    head, _, rest = ref.strip().partition(":")
    if head != "arn":
        spec = _prefixed(head) if rest else None
        return spec.name if spec else None
    named = rest.partition(":")[2].partition(":")[0]
    return next((s.name for s in all_specs() if s.arn and s.arn.service == named), None)


def _parse_arn(ref: str, text: str, specs: tuple[ServiceSpec, ...], service: str | None) -> JobKey:
    match = _ARN.match(text)
    if not match:
        raise _bad(ref, "not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)")
    if match["partition"] not in PARTITIONS:
        raise _bad(
            ref,
            f"'{clip(match['partition'])}' is not a supported partition ({', '.join(PARTITIONS)})",
        )
    known = [spec for spec in specs if spec.arn]
    for spec in known:
        if spec.arn and spec.arn.service == match["service"]:
            if not ACCOUNT.match(match["account"]):
                raise _bad(ref, f"'{clip(match['account'])}' is not an account id (12 digits)")
            resource_type, _, job_id = match["resource"].partition("/")
            inner = _nested_id(spec.arn, resource_type, job_id)
            related = spec.related_arns.get(resource_type)
            # Under a nested form, only the owner's own ARN (table/NAME) is related.
            owner = not spec.arn.nested or "/" not in job_id
            if inner is None and related and job_id and owner:
                # Not an export job, but the user is one step from it: say which step.
                raise UsageError(
                    f"'{clip(ref)}' is not an export job's ARN but "
                    + related.replace("ARN", clip(text))
                )
            if (
                resource_type != spec.arn.resource
                or not job_id
                or (spec.arn.nested and inner is None)
            ):
                form = _resource_form(spec.arn)
                raise _bad(ref, f"not {_a(spec.title)} {spec.title} {form} ARN")
            job_id = inner or job_id
            if not REGION.match(match["region"]):
                raise _not_a_region(ref, match["region"])
            if service and service.lower() not in (spec.name, *spec.aliases):
                raise _bad(ref, f"it is a {spec.name} ARN, not {service}")
            return JobKey(spec.name, job_id, match["region"], arn=text, account=match["account"])
    names = [spec.title for spec in known]
    titles = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    raise _bad(
        ref,
        f"'{clip(match['service'])}' ARNs are not export jobs: exportctl reads the ARNs of "
        f"{titles} export jobs",
    )


def _parse_compact(ref: str, spec: ServiceSpec, rest: str) -> JobKey:
    region: str | None = None
    account: str | None = None
    first, sep, after = rest.partition(":")
    if sep and ACCOUNT.match(first):
        account, rest = first, after
        first, sep, after = rest.partition(":")
        if not sep:
            raise _bad(ref, "an account is followed by a region")
    if sep:
        if not REGION.match(first):
            raise _not_a_region(ref, first)
        region, rest = first, after
    return _parse_id(ref, spec, rest, region, account)


def _parse_id(
    ref: str, spec: ServiceSpec, text: str, region: str | None, account: str | None = None
) -> JobKey:
    parts = text.split("/")
    if len(parts) != spec.id_parts or not all(ID.match(p) for p in parts):
        form = f"{spec.name} ids look like {id_form(spec)}"
        stray = next((c for c in text if not (c.isascii() and c.isalnum()) and c not in "._-/"), "")
        if stray:
            # The character says more than the form: a comma is one reference too many.
            form += f" (letters, digits, '.', '_' and '-'), without {stray!r}"
            if stray == ",":
                form += ": references are separated by spaces"
        elif any(len(p) > ID_LONGEST for p in parts):
            form += f", of at most {ID_LONGEST} characters"
        raise _bad(ref, form)
    if spec.id_parts == 2:
        return JobKey(spec.name, parts[1], region, parent=parts[0], account=account)
    return JobKey(spec.name, parts[0], region, account=account)


def with_account(ref: str, account: str) -> str:
    """A compact ``prefix:REGION:ID`` reference with its account written in; ARNs,
    and references that already name one, are returned as they are."""
    if ref.startswith("arn:"):
        return ref
    prefix, _, rest = ref.partition(":")
    first, _, _ = rest.partition(":")
    if ACCOUNT.match(first):
        return ref
    return f"{prefix}:{account}:{rest}"


def in_account(job: ExportJob, account: str) -> ExportJob:
    """``job`` as read in ``account``: its account, and a reference that names it."""
    return replace(job, account=account, ref=with_account(job.ref, account))


def short_ref(job: ExportJob, default_region: str | None) -> str:
    """The compact form for tables: the region is left out when it is the default one."""
    if job.arn:
        return job.ref
    return _in_default_region(job.ref, job.region, default_region)


def compact_ref(job: ExportJob, default_region: str | None, *, account: bool = False) -> str:
    """The shortest reference that resolves to this job: an ARN becomes
    ``prefix:[REGION:]ID`` when the service has a prefix (``prefix:ACCOUNT:REGION:ID``
    with ``account``, when several accounts are shown); otherwise the table form."""
    try:
        spec = spec_for(job.service)
    except ExportctlError:
        return short_ref(job, default_region)
    if not job.arn or not spec.prefix or spec.id_parts != 1:
        return short_ref(job, default_region)
    ref = canonical_ref(
        spec, job.region, job.id, parent=None, arn=None, account=job.account if account else None
    )
    return _in_default_region(ref, job.region, default_region)


def _in_default_region(ref: str, region: str, default_region: str | None) -> str:
    """``prefix:REGION:ID`` without its region when that is the default one (a
    reference that names its account keeps both)."""
    if not default_region or region != default_region:
        return ref
    prefix, _, rest = ref.partition(":")
    if ACCOUNT.match(rest.partition(":")[0]):
        return ref
    _, _, tail = rest.partition(":")
    return f"{prefix}:{tail}"


def arn_region(value: Any) -> str | None:
    """The region an ARN names (``arn:aws:dynamodb:eu-west-1:...``); None for anything
    else, or an ARN of no region."""
    parts = value.split(":") if isinstance(value, str) and value.startswith("arn:") else []
    return (parts[3] or None) if len(parts) > 5 else None


def scoped_regions(spec: ServiceSpec, scope: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Each of ``spec``'s own filters given an ARN (or another form that names a
    region, ``Scope.region``), and the region it names."""
    for s in spec.scopes:
        value = scope.get(s.key)
        for v in value if isinstance(value, (list, tuple)) else (value,):
            region = (s.region(str(v)) if s.region and v is not None else None) or arn_region(v)
            if region:
                yield s.name, region


def scoped_region(spec: ServiceSpec, scope: Mapping[str, Any]) -> str | None:
    """The region an ARN given to one of ``spec``'s own filters names (``--table
    arn:aws:dynamodb:eu-west-1:...``): where the jobs it selects are, whatever the
    command's region."""
    return next((region for _, region in scoped_regions(spec, scope)), None)
