"""Every reference form exportctl accepts, and the one-line refusal of the others."""

from __future__ import annotations

import pytest

from exportctl.domain.errors import ExitCode, UsageError
from exportctl.domain.model import ExportJob, State
from exportctl.services import all_specs, spec_for
from exportctl.services.refs import JobKey, accepted_forms, canonical_ref, parse, short_ref

ACCOUNT = "123456789012"
BS_ID = "9e8d7c6b-0000-4000-8000-00000000ef01"


def bs_arn(partition: str, region: str) -> str:
    return f"arn:{partition}:backup-search:{region}:{ACCOUNT}:search-export-job/{BS_ID}"


def pz_arn(partition: str, region: str) -> str:
    return f"arn:{partition}:personalize:{region}:{ACCOUNT}:dataset-export-job/my-export"


DDB_ID = "01790347688889-89264f87"
DDB_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/export/{DDB_ID}"


def _titles_with_arns() -> str:
    """The services whose export jobs have ARNs, as the refusal of another ARN names them."""
    titles = [spec.title for spec in all_specs() if spec.arn]
    return f"{', '.join(titles[:-1])} and {titles[-1]}" if len(titles) > 1 else titles[0]


PARTITIONS = [("aws", "eu-west-1"), ("aws-cn", "cn-north-1"), ("aws-us-gov", "us-gov-west-1")]

ACCEPTED: list[tuple[str, str | None, JobKey]] = [
    *[
        (bs_arn(p, r), None, JobKey("backupsearch", BS_ID, r, arn=bs_arn(p, r), account=ACCOUNT))
        for p, r in PARTITIONS
    ],
    *[
        (
            pz_arn(p, r),
            None,
            JobKey("personalize", "my-export", r, arn=pz_arn(p, r), account=ACCOUNT),
        )
        for p, r in PARTITIONS
    ],
    (pz_arn("aws", "us-east-1"), "personalize", JobKey("personalize", "my-export", "us-east-1",
                                                      arn=pz_arn("aws", "us-east-1"),
                                                      account=ACCOUNT)),
    (bs_arn("aws", "us-east-1"), "backup", JobKey("backupsearch", BS_ID, "us-east-1",
                                                 arn=bs_arn("aws", "us-east-1"),
                                                 account=ACCOUNT)),
    ("pinpoint:app1/job1", None, JobKey("pinpoint", "job1", None, parent="app1")),
    ("pinpoint:eu-west-1:app1/job1", None, JobKey("pinpoint", "job1", "eu-west-1", parent="app1")),
    ("Pinpoint:app1/job1", None, JobKey("pinpoint", "job1", None, parent="app1")),
    ("discovery:export-1", None, JobKey("discovery", "export-1")),
    ("discovery:ap-southeast-2:export-1", None, JobKey("discovery", "export-1", "ap-southeast-2")),
    ("ads:export-1", None, JobKey("discovery", "export-1")),
    ("discovery:export-1", "discovery", JobKey("discovery", "export-1")),
    (f"backupsearch:{BS_ID}", None, JobKey("backupsearch", BS_ID)),
    (f"backupsearch:us-gov-east-1:{BS_ID}", None, JobKey("backupsearch", BS_ID, "us-gov-east-1")),
    (f"backup-search:{BS_ID}", None, JobKey("backupsearch", BS_ID)),
    # The form canonical_ref writes for a Personalize job that came without an ARN.
    ("personalize:eu-west-1:my-export", None, JobKey("personalize", "my-export", "eu-west-1")),
    ("export-1", "discovery", JobKey("discovery", "export-1")),
    ("  export-1\n", "ads", JobKey("discovery", "export-1")),
    ("app1/job1", "pinpoint", JobKey("pinpoint", "job1", None, parent="app1")),
    ("my-export", "personalize", JobKey("personalize", "my-export")),
    (BS_ID, "backupsearch", JobKey("backupsearch", BS_ID)),
    (DDB_ARN, None, JobKey("dynamodb", DDB_ID, "us-east-1", arn=DDB_ARN, account=ACCOUNT)),
    ("rds:orders-weekly", None, JobKey("rds", "orders-weekly")),
    ("aurora:eu-west-1:orders-weekly", None, JobKey("rds", "orders-weekly", "eu-west-1")),
    ("logs:7d1c2b3a-0000-4000-a000-000000000001", None,
     JobKey("logs", "7d1c2b3a-0000-4000-a000-000000000001")),
    ("ec2:export-ami-0123456789abcdef0", None, JobKey("ec2", "export-ami-0123456789abcdef0")),
    ("ec2:eu-west-1:export-i-0fedcba9876543210", None,
     JobKey("ec2", "export-i-0fedcba9876543210", "eu-west-1")),
]  # fmt: skip


@pytest.mark.parametrize(("ref", "service", "key"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_form_parses(ref: str, service: str | None, key: JobKey) -> None:
    assert parse(ref, service) == key


REFUSED: list[tuple[str, str | None, str]] = [
    ("", None, "empty"),
    ("   ", None, "empty"),
    (f"arn:aws-iso:personalize:us-east-1:{ACCOUNT}:dataset-export-job/x", None, "partition"),
    ("arn:aws:personalize:us-east-1:123:dataset-export-job/x", None, "'123' is not an account id"),
    (
        f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset/x",
        None,
        "not an Amazon Personalize dataset-export-job ARN",
    ),
    (
        "arn:aws:s3:::bucket",
        None,
        "'s3' ARNs are not export jobs: exportctl reads the ARNs of "
        f"{_titles_with_arns()} export jobs",
    ),
    ("arn:aws:personalize", None, "not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)"),
    ("discovery:export-1,", None, "without ',': references are separated by spaces"),
    (f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-export-job/", None, "ARN"),
    (f"arn:aws:personalize:moon:{ACCOUNT}:dataset-export-job/x", None, "'moon' is not a region"),
    # A partition that does not hold the region: the job would be asked for where no
    # such ARN can be.
    (pz_arn("aws-cn", "us-east-1"), None, "'us-east-1' is of partition aws, not the ARN's aws-cn"),
    (pz_arn("aws", "cn-north-1"), None, "'cn-north-1' is of partition aws-cn, not the ARN's aws"),
    (bs_arn("aws", "us-gov-west-1"), None, "region 'us-gov-west-1' is of partition aws-us-gov"),
    (f"arn:aws:s3:us-east-1:{ACCOUNT}:bucket/x", None, "'s3' ARNs"),
    (pz_arn("aws", "us-east-1"), "discovery", "not discovery"),
    ("pinpoint:app1", None, "APP_ID/JOB_ID"),
    ("pinpoint:a/b/c", None, "APP_ID/JOB_ID"),
    ("pinpoint:eu-west-1:app1", None, "APP_ID/JOB_ID"),
    ("discovery:nowhere:export-1", None, "'nowhere' is not a region"),
    (
        "discovery:bad id!",
        None,
        "discovery ids look like ID (letters, digits, '.', '_' and '-'), without ' '",
    ),
    ("discovery:export-1", "pinpoint", "not pinpoint"),
    ("glacier:i-123", None, "'glacier' is not a service prefix"),
    ("export-1", None, "needs --service"),
    ("app1", "pinpoint", "APP_ID/JOB_ID"),
    ("-leading-dash", "discovery", "ids look like"),
]


@pytest.mark.parametrize(("ref", "service", "why"), REFUSED, ids=[r[0] or "empty" for r in REFUSED])
def test_malformed_reference_is_a_usage_error_listing_the_forms(
    ref: str, service: str | None, why: str
) -> None:
    with pytest.raises(UsageError) as caught:
        parse(ref, service)

    error = caught.value
    assert error.exit_code == ExitCode.USAGE
    assert int(error.exit_code) == 2
    assert why in error.message
    assert "\n" not in error.message
    assert error.message.endswith(f"accepted forms: {accepted_forms()}")


def test_accepted_forms_names_every_form() -> None:
    forms = accepted_forms().split("; ")

    # Every ARN form first, then every compact form, then the two that need more.
    arns = [f for f in forms if f.startswith("arn:")]
    compact = [f for f in forms if ":[REGION:]" in f]
    assert forms == [
        *arns,
        *compact,
        "ID with --service",
        "PREFIX:ACCOUNT:REGION:ID (several accounts)",
    ]
    assert len(arns) == sum(1 for s in all_specs() if s.arn)
    # Every service takes a compact form, those with an ARN too (by their name).
    assert len(compact) == len(all_specs())
    for spec in all_specs():
        if spec.arn:
            assert any(f.startswith(f"arn:aws:{spec.arn.service}:REGION:ACCOUNT:") for f in arns)
        assert any(f.startswith(f"{spec.prefix or spec.name}:[REGION:]") for f in compact)
    # Each form listed is one parse takes, with and without its region.
    for form in compact:
        head, _, tail = form.partition(":[REGION:]")
        job = tail.replace("APP_ID", "app1").replace("JOB_ID", "job1").replace("NAME", "n1")
        job = job.replace("ID", "id1")
        for ref in (f"{head}:{job}", f"{head}:eu-west-1:{job}"):
            assert parse(ref).service == spec_for(head).name, ref
    assert {
        "arn:aws:backup-search:REGION:ACCOUNT:search-export-job/ID",
        "arn:aws:personalize:REGION:ACCOUNT:dataset-export-job/NAME",
        # A job under another resource: its owner's name comes first.
        "arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/export/ID",
        "backupsearch:[REGION:]ID",
        "discovery:[REGION:]ID",
        "pinpoint:[REGION:]APP_ID/JOB_ID",
        "rds:[REGION:]ID",
        "logs:[REGION:]ID",
        "ec2:[REGION:]ID",
        "dynamodb:[REGION:]ID",
        "personalize:[REGION:]NAME",
    } <= set(forms)


def test_unknown_service_name_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown service 'glacier'"):
        parse("x", "glacier")


def test_key_display_and_region() -> None:
    pin = JobKey("pinpoint", "job1", None, parent="app1")
    arn = pz_arn("aws", "eu-west-1")

    assert pin.display == "app1/job1"
    assert JobKey("personalize", "my-export", "eu-west-1", arn=arn).display == arn
    assert pin.in_region("us-west-2").region == "us-west-2"
    assert pin.in_region("us-west-2").parent == "app1"
    assert JobKey("discovery", "e", "eu-west-1").in_region("us-west-2").region == "eu-west-1"


@pytest.mark.parametrize(
    ("service", "parent", "arn", "expected"),
    [
        ("pinpoint", "app1", None, "pinpoint:eu-west-1:app1/job"),
        ("discovery", None, None, "discovery:eu-west-1:job"),
        ("backupsearch", None, None, "backupsearch:eu-west-1:job"),
        ("personalize", None, None, "personalize:eu-west-1:job"),
        ("personalize", None, pz_arn("aws", "eu-west-1"), pz_arn("aws", "eu-west-1")),
    ],
)
def test_canonical_ref_is_the_arn_else_a_regional_compact_form(
    service: str, parent: str | None, arn: str | None, expected: str
) -> None:
    ref = canonical_ref(spec_for(service), "eu-west-1", "job", parent=parent, arn=arn)

    assert ref == expected
    assert parse(ref).id == ("my-export" if arn else "job")


def _job(ref: str, region: str, arn: str | None = None) -> ExportJob:
    return ExportJob("discovery", ref, "e1", region, State.RUNNING, "IN_PROGRESS", arn=arn)


@pytest.mark.parametrize(
    ("job", "default", "short"),
    [
        (_job("discovery:us-east-1:e1", "us-east-1"), "us-east-1", "discovery:e1"),
        (_job("discovery:eu-west-1:e1", "eu-west-1"), "us-east-1", "discovery:eu-west-1:e1"),
        (_job("discovery:us-east-1:e1", "us-east-1"), None, "discovery:us-east-1:e1"),
        (
            _job("pinpoint:us-east-1:app/j", "us-east-1"),
            "us-east-1",
            "pinpoint:app/j",
        ),
        (
            _job(bs_arn("aws", "us-east-1"), "us-east-1", arn=bs_arn("aws", "us-east-1")),
            "us-east-1",
            bs_arn("aws", "us-east-1"),
        ),
    ],
)
def test_short_ref_drops_the_region_only_when_it_is_the_default(
    job: ExportJob, default: str | None, short: str
) -> None:
    assert short_ref(job, default) == short


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_reference_pasted_with_its_quotes_is_read_without_them(quote: str) -> None:
    assert parse(f"{quote}discovery:us-east-1:export-1{quote}") == parse(
        "discovery:us-east-1:export-1"
    )


def test_a_search_jobs_arn_points_to_the_commands_that_take_it() -> None:
    arn = f"arn:aws:backup-search:us-east-1:{ACCOUNT}:search-job/a4c123b1"
    with pytest.raises(UsageError) as caught:
        parse(arn)
    message = caught.value.message
    assert message.startswith(f"'{arn}' is not an export job's ARN but a search job's")
    assert f"`exportctl backups {arn}`" in message
    assert f"`exportctl list -s backupsearch --search-job {arn}`" in message
    assert caught.value.exit_code == 2


def test_an_id_too_long_is_said_so() -> None:
    with pytest.raises(UsageError) as caught:
        parse("backupsearch:" + "a" * 300)
    assert "of at most 255 characters" in caught.value.message
    assert parse("backupsearch:" + "a" * 255).id == "a" * 255


@pytest.mark.parametrize(
    "ref", ["rds:US-EAST-1:orders", f"rds:{ACCOUNT}:Us-East-1:orders", pz_arn("aws", "US-EAST-1")]
)
def test_a_region_in_capitals_gets_its_lower_case_as_region_does(ref: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(ref)
    region = ref.split(":")[-2] if not ref.startswith("arn:") else "US-EAST-1"
    assert caught.value.message.startswith(
        f"unknown region '{region}' in reference '{ref}'; did you mean 'us-east-1'? "
    )
    assert caught.value.exit_code == ExitCode.USAGE
