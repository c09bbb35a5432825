"""EC2's jobs read many at once through Stubber: one describe a kind for the jobs of
one region, and, where EC2 fails the whole call for one id it does not know, the
others read again one call each, each job getting what its own describe gives."""

from __future__ import annotations

from typing import Any

import pytest
from adapter_stubs import REGION, Stubs
from test_adapter_ec2 import image, instance

from exportctl.domain.errors import ExitCode, NotFoundError, UsageError
from exportctl.domain.model import ExportJob, State
from exportctl.ops import jobs as jobs_module
from exportctl.ops.jobs import Jobs
from exportctl.services.refs import JobKey

IMAGES = [f"export-ami-{i:017x}" for i in range(1, 4)]
INSTANCES = [f"export-i-{i:017x}" for i in range(1, 3)]
UNKNOWN = "export-ami-0123456789abcdef0"
MISSING = f"The export task ID '{UNKNOWN}' does not exist"


@pytest.fixture(autouse=True)
def one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # The describes each job gets of its own come in the order stubbed.
    monkeypatch.setattr(jobs_module, "GET_CONCURRENCY", 1)


def images(*ids: str) -> dict[str, Any]:
    return {"ExportImageTasks": [image("active", ExportImageTaskId=i) for i in ids]}


def instances(*ids: str) -> dict[str, Any]:
    tasks = [{**instance(), "ExportTaskId": i} for i in ids]
    return {"ExportTasks": tasks}


def keys(*ids: str) -> list[JobKey]:
    return [JobKey("ec2", i, REGION) for i in ids]


def outcome(results: list[ExportJob | Exception]) -> list[Any]:
    return [(r.id, r.state) if isinstance(r, ExportJob) else type(r) for r in results]


def test_each_kind_is_read_in_one_call(jobs: Jobs, stubs: Stubs) -> None:
    ec2 = stubs("ec2")
    # One after the other, the last kind asked for first; answered in another order
    # than asked.
    ec2.add_response("describe_export_tasks", instances(*INSTANCES), {"ExportTaskIds": INSTANCES})
    ec2.add_response(
        "describe_export_image_tasks",
        images(*reversed(IMAGES)),
        {"ExportImageTaskIds": IMAGES, "MaxResults": 500},
    )

    asked = [IMAGES[0], INSTANCES[0], IMAGES[1], INSTANCES[1], IMAGES[2]]
    results = jobs.get_many(keys(*asked))

    assert [r.id for r in results if isinstance(r, ExportJob)] == asked
    assert jobs.calls.snapshot() == {
        ("ec2", "DescribeExportImageTasks"): 1,
        ("ec2", "DescribeExportTasks"): 1,
    }


def test_a_lone_job_is_read_with_its_own_describe(jobs: Jobs, stubs: Stubs) -> None:
    stubs("ec2").add_response(
        "describe_export_image_tasks", images(IMAGES[0]), {"ExportImageTaskIds": [IMAGES[0]]}
    )
    [job] = jobs.refresh(keys(IMAGES[0]))
    assert isinstance(job, ExportJob) and job.state is State.RUNNING


def test_one_unknown_id_has_the_rest_read_one_call_each(jobs: Jobs, stubs: Stubs) -> None:
    ec2 = stubs("ec2")
    asked = [IMAGES[0], UNKNOWN, IMAGES[1]]
    ec2.add_client_error(
        "describe_export_image_tasks", "InvalidExportTaskID.NotFound", MISSING, 400,
        expected_params={"ExportImageTaskIds": asked, "MaxResults": 500},
    )  # fmt: skip
    ec2.add_response(
        "describe_export_image_tasks", images(IMAGES[0]), {"ExportImageTaskIds": [IMAGES[0]]}
    )
    ec2.add_client_error(
        "describe_export_image_tasks", "InvalidExportTaskID.NotFound", MISSING, 400,
        expected_params={"ExportImageTaskIds": [UNKNOWN]},
    )  # fmt: skip
    ec2.add_response(
        "describe_export_image_tasks", images(IMAGES[1]), {"ExportImageTaskIds": [IMAGES[1]]}
    )

    results = jobs.refresh(keys(*asked))

    assert outcome(results) == [
        (IMAGES[0], State.RUNNING),
        NotFoundError,
        (IMAGES[1], State.RUNNING),
    ]
    # Word for word what the job's own describe says of it.
    assert str(results[1]) == f"Amazon EC2: {MISSING}"
    assert jobs.calls.snapshot() == {("ec2", "DescribeExportImageTasks"): 4}


def test_a_malformed_id_leaves_the_others_read(jobs: Jobs, stubs: Stubs) -> None:
    ec2 = stubs("ec2")
    bad = "export-i-nothex"
    message = f'Invalid id: "{bad}" (expecting "export-ami-..." or "export-i-...")'
    ec2.add_client_error(
        "describe_export_tasks", "InvalidExportTaskID.Malformed", message, 400,
        expected_params={"ExportTaskIds": [INSTANCES[0], bad]},
    )  # fmt: skip
    ec2.add_response(
        "describe_export_tasks", instances(INSTANCES[0]), {"ExportTaskIds": [INSTANCES[0]]}
    )
    ec2.add_client_error(
        "describe_export_tasks", "InvalidExportTaskID.Malformed", message, 400,
        expected_params={"ExportTaskIds": [bad]},
    )  # fmt: skip

    results = jobs.get_many(keys(INSTANCES[0], bad))

    assert outcome(results) == [(INSTANCES[0], State.COMPLETED), UsageError]
    assert results[1].exit_code == ExitCode.USAGE  # type: ignore[union-attr]


def test_a_refusal_of_the_call_is_each_jobs_answer_at_once(jobs: Jobs, stubs: Stubs) -> None:
    stubs("ec2").add_client_error(
        "describe_export_image_tasks", "UnauthorizedOperation", "no", 403,
        expected_params={"ExportImageTaskIds": IMAGES[:2], "MaxResults": 500},
    )  # fmt: skip

    results = jobs.get_many(keys(*IMAGES[:2]))

    assert [getattr(r, "exit_code", None) for r in results] == [ExitCode.CREDENTIALS] * 2
    assert jobs.calls.snapshot() == {("ec2", "DescribeExportImageTasks"): 1}


def test_an_id_left_out_of_the_answer_is_not_found(jobs: Jobs, stubs: Stubs) -> None:
    stubs("ec2").add_response(
        "describe_export_tasks", instances(INSTANCES[1]), {"ExportTaskIds": INSTANCES}
    )

    results = jobs.get_many(keys(*INSTANCES))

    assert outcome(results) == [NotFoundError, (INSTANCES[1], State.COMPLETED)]
    assert str(results[0]) == f"Amazon EC2: no export job {INSTANCES[0]}"


def test_600_image_exports_take_two_calls(jobs: Jobs, stubs: Stubs) -> None:
    ids = [f"export-ami-{i:017x}" for i in range(600)]
    ec2 = stubs("ec2")
    for chunk in (ids[:500], ids[500:]):
        ec2.add_response(
            "describe_export_image_tasks",
            images(*chunk),
            {"ExportImageTaskIds": chunk, "MaxResults": 500},
        )

    results = jobs.refresh(keys(*ids))

    assert [r.id for r in results if isinstance(r, ExportJob)] == ids
    assert jobs.calls.snapshot() == {("ec2", "DescribeExportImageTasks"): 2}
