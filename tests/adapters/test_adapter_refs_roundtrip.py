"""A job's ref, parsed back, gets that job again: in its own region, whatever the default."""

from __future__ import annotations

from typing import Any

import pytest
from adapter_stubs import APP, OTHER_REGION, REGION, SERVICES, Stubs, get_response, raw_job
from test_adapter_get_list import TERMINAL

from exportctl.domain.model import ExportJob
from exportctl.ops.jobs import Jobs
from exportctl.services import engine, spec_for
from exportctl.services.refs import parse, short_ref

ARN_MEMBER = {"backupsearch": "ExportJobArn", "personalize": "datasetExportJobArn"}


def expect_get(stubs: Stubs, service: str, raw: dict[str, Any], region: str) -> None:
    stub = stubs(service, region)
    if service == "backupsearch":
        request = {"ExportJobIdentifier": raw["ExportJobIdentifier"]}
        stub.add_response("get_search_result_export_job", get_response(service, raw), request)
    elif service == "pinpoint":
        request = {"ApplicationId": APP, "JobId": raw["Id"]}
        stub.add_response("get_export_job", get_response(service, raw), request)
    elif service == "personalize":
        if "datasetExportJobArn" not in raw:
            # A name alone: the listing of that region gives the ARN.
            listed = {**raw, "datasetExportJobArn": "arn:aws:personalize:x"}
            stub.add_response(
                "list_dataset_export_jobs",
                {
                    "datasetExportJobs": [
                        {k: listed[k] for k in ("jobName", "datasetExportJobArn", "status")}
                    ]
                },
                {"maxResults": 100},
            )
            request = {"datasetExportJobArn": "arn:aws:personalize:x"}
        else:
            request = {"datasetExportJobArn": raw["datasetExportJobArn"]}
        stub.add_response("describe_dataset_export_job", get_response(service, raw), request)
    else:
        request = {"exportIds": [raw["exportId"]]}
        stub.add_response("describe_export_tasks", get_response(service, raw), request)


@pytest.mark.parametrize("with_arn", [True, False], ids=["as-returned", "without-arn"])
@pytest.mark.parametrize("service", SERVICES)
def test_ref_of_a_job_in_another_region_gets_it_there(
    jobs: Jobs, stubs: Stubs, service: str, with_arn: bool
) -> None:
    raw = raw_job(service, 4, TERMINAL[service], region=OTHER_REGION)
    if not with_arn:
        raw.pop(ARN_MEMBER.get(service, ""), None)
    listed = engine.normalise(spec_for(service), raw, OTHER_REGION)
    # Nothing may be asked of the default region.
    stubs(service, REGION)
    expect_get(stubs, service, raw, OTHER_REGION)

    key = parse(listed.ref)
    job = jobs.get(key)

    assert key.region == OTHER_REGION
    assert (job.ref, job.region, job.id) == (listed.ref, OTHER_REGION, listed.id)
    client = jobs.clients.client(spec_for(service).client, OTHER_REGION)
    assert client.meta.region_name == OTHER_REGION


@pytest.mark.parametrize("service", SERVICES)
def test_short_ref_parses_back_in_the_default_region(service: str) -> None:
    job = _job(service, REGION)

    short = short_ref(job, REGION)
    key = parse(short)

    assert key.id == job.id
    assert key.in_region(REGION).region == REGION
    if job.arn:
        assert short == job.arn
    else:
        assert REGION not in short and len(short) < len(job.ref)
        assert short_ref(_job(service, OTHER_REGION), REGION).count(OTHER_REGION) == 1


def _job(service: str, region: str) -> ExportJob:
    return engine.normalise(spec_for(service), raw_job(service, 2, "X", region=region), region)
