"""The wrapper every client is handed out in: its calls raise exportctl's errors,
botocore's as their cause; the rest is botocore's client as it is."""

from __future__ import annotations

import re

import pytest
from adapter_stubs import REGION, make_jobs
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from exportctl.aws.translate import answer_of
from exportctl.aws.translatingclient import CallErrors
from exportctl.domain.errors import AwsError, BrokenAnswerError, ExitCode, NotFoundError
from exportctl.services import spec_for


def test_a_refusal_is_exportctls_error_with_botocores_as_its_cause() -> None:
    clients = make_jobs().clients
    client = clients.client("discovery", REGION, errors=CallErrors(spec_for("discovery")))
    with Stubber(client) as stub:
        stub.add_client_error("describe_export_tasks", "ResourceNotFoundException", "gone", 400)
        with pytest.raises(NotFoundError) as caught:
            client.describe_export_tasks()
    assert caught.value.message == f"{spec_for('discovery').title}: gone"
    assert isinstance(caught.value.__cause__, ClientError)
    said = answer_of(caught.value.__cause__)
    assert said is not None and said.code == "ResourceNotFoundException"


def test_by_default_the_messages_name_no_service() -> None:
    client = make_jobs().clients.client("discovery", REGION)
    with Stubber(client) as stub:
        stub.add_client_error("describe_export_tasks", "InternalFailure", "boom", 500)
        with pytest.raises(AwsError) as caught:
            client.call("DescribeExportTasks", {})
    assert caught.value.message.startswith("AWS: InternalFailure (HTTP 500): boom; ")
    assert caught.value.exit_code == ExitCode.AWS and caught.value.service is None
    # Told how long it took only when asked to be.
    assert " over " not in caught.value.message


def test_a_timed_call_retried_to_the_end_says_for_how_long() -> None:
    clients = make_jobs().clients
    errors = CallErrors(spec_for("discovery"), timed=True)
    client = clients.client("discovery", REGION, errors=errors)
    with Stubber(client) as stub:
        stub.add_client_error("describe_export_tasks", "ThrottlingException", "slow", 400)
        with pytest.raises(AwsError) as caught:
            client.call("DescribeExportTasks", {})
    # One attempt (a stubbed answer is not retried): its time, said as one call's.
    assert re.search(r"DescribeExportTasks failed once in \d+\.\d s", caught.value.message)


def test_shape_slips_are_broken_answers_told_without_their_service() -> None:
    client = make_jobs().clients.client("discovery", REGION)
    errors = CallErrors(spec_for("discovery"), shape_slips=True)
    with pytest.raises(BrokenAnswerError) as caught:
        client.said_as(errors).call("NoSuchOperation", {})
    assert caught.value.service is None
    assert caught.value.message.startswith(
        "NoSuchOperation answered with something its model does not describe (AttributeError"
    )
    # Without the option, exportctl's own bug stays one.
    with pytest.raises(AttributeError):
        client.call("NoSuchOperation", {})


def test_what_is_not_a_call_is_the_botocore_clients_own() -> None:
    clients = make_jobs().clients
    client = clients.client("discovery", REGION)
    assert clients.client("discovery", REGION) is client
    assert client.meta is client.bare.meta
    assert type(client.bare).__module__ == "botocore.client"
    told = clients.client("discovery", REGION, errors=CallErrors(spec_for("discovery")))
    assert told.bare is client.bare and told is not client
