"""Every error each operation documents, as exportctl reports it: class, exit code, one line."""

from __future__ import annotations

from typing import Any

import botocore.exceptions as bex
import pytest
from adapter_stubs import SERVICES, Stubs, make_jobs, operation
from test_adapter_get_list import GETS, add_list_pages, add_listing

from exportctl.aws.translate import translate
from exportctl.domain.errors import (
    AwsError,
    CredentialsError,
    ExitCode,
    ExportctlError,
    NotFoundError,
    ServiceUnavailableError,
    UsageError,
)
from exportctl.domain.naming import CONFIGURE_HINT
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.services import service_names, spec_for
from exportctl.services.refs import parse
from exportctl.services.specs.pinpoint import END_OF_SUPPORT

Unavailable = ServiceUnavailableError
# service -> code -> (HTTP status, class, exit code)
ERRORS: dict[str, dict[str, tuple[int, type[ExportctlError], ExitCode]]] = {
    "backupsearch": {
        "ResourceNotFoundException": (404, NotFoundError, ExitCode.NOT_FOUND),
        "ThrottlingException": (429, AwsError, ExitCode.AWS),
        "AccessDeniedException": (403, Unavailable, ExitCode.CREDENTIALS),
        "ValidationException": (400, UsageError, ExitCode.USAGE),
        "InternalServerException": (500, AwsError, ExitCode.AWS),
        "ServiceQuotaExceededException": (402, AwsError, ExitCode.AWS),
    },
    "pinpoint": {
        "BadRequestException": (400, UsageError, ExitCode.USAGE),
        "InternalServerErrorException": (500, AwsError, ExitCode.AWS),
        "PayloadTooLargeException": (413, AwsError, ExitCode.AWS),
        "ForbiddenException": (403, Unavailable, ExitCode.CREDENTIALS),
        "NotFoundException": (404, NotFoundError, ExitCode.NOT_FOUND),
        "MethodNotAllowedException": (405, Unavailable, ExitCode.AWS),
        "TooManyRequestsException": (429, AwsError, ExitCode.AWS),
    },
    "personalize": {
        "InvalidInputException": (400, UsageError, ExitCode.USAGE),
        "ResourceNotFoundException": (400, NotFoundError, ExitCode.NOT_FOUND),
        "InvalidNextTokenException": (400, UsageError, ExitCode.USAGE),
    },
    "discovery": {
        "AuthorizationErrorException": (400, Unavailable, ExitCode.CREDENTIALS),
        "InvalidParameterException": (400, UsageError, ExitCode.USAGE),
        "InvalidParameterValueException": (400, UsageError, ExitCode.USAGE),
        "ServerInternalErrorException": (500, AwsError, ExitCode.AWS),
        "HomeRegionNotSetException": (400, Unavailable, ExitCode.AWS),
    },
}
CASES = [(s, code) for s in sorted(ERRORS) for code in ERRORS[s]]
# Errors whose line says what to do instead of repeating AWS's words.
OWN_WORDS = {("discovery", "HomeRegionNotSetException"): "pass --region with the home region"}
MESSAGE = "The request could not be served:\n  see the details."


def model_errors(service: str, name: str) -> set[str]:
    return {e.name for e in operation(spec_for(service).client, name).error_shapes}


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_of_the_model_is_checked(service: str) -> None:
    spec = spec_for(service)
    documented = model_errors(service, spec.get.operation) | model_errors(
        service, spec.list.operation
    )
    assert documented == set(ERRORS[service])


def _fail(jobs: Jobs, stubs: Stubs, service: str, code: str, message: str) -> ExportctlError:
    """Make the operation that documents ``code`` fail with it, through Jobs."""
    spec = spec_for(service)
    status = ERRORS[service][code][0]
    ref, method, params, _ = GETS[service]
    if code in model_errors(service, spec.get.operation):
        stubs(service).add_client_error(
            method, code, message, http_status_code=status, expected_params=params
        )
        with pytest.raises(ExportctlError) as caught:
            jobs.get(parse(ref))
        return caught.value
    fixed = {"personalize": {"maxResults": 100}, "backupsearch": {"MaxResults": 1000}}[service]
    list_method = {
        "personalize": "list_dataset_export_jobs",
        "backupsearch": "list_search_result_export_jobs",
    }[service]
    stubs(service).add_client_error(
        list_method, code, message, http_status_code=status, expected_params=fixed
    )
    result = jobs.list(ListQuery(services=(service,)))
    assert result.jobs == [] and result.notices == []
    [failure] = result.failures
    return failure


@pytest.mark.parametrize(("service", "code"), CASES)
def test_error_becomes_one_line_with_its_exit_code(
    jobs: Jobs, stubs: Stubs, service: str, code: str
) -> None:
    _, cls, exit_code = ERRORS[service][code]

    error = _fail(jobs, stubs, service, code, MESSAGE)

    assert type(error) is cls
    assert error.exit_code == exit_code
    assert error.service == service
    assert "\n" not in error.message
    assert error.message.startswith(spec_for(service).title + ": ")
    expected = OWN_WORDS.get((service, code), "could not be served: see the details")
    assert expected in error.message
    # AWS's full stop is dropped where exportctl's words follow it.
    assert ".;" not in error.message


@pytest.mark.parametrize("code", ["ForbiddenException", "MethodNotAllowedException"])
def test_pinpoint_refusals_explain_the_end_of_support(jobs: Jobs, stubs: Stubs, code: str) -> None:
    error = _fail(jobs, stubs, "pinpoint", code, "Forbidden")

    assert END_OF_SUPPORT in error.message
    assert "IAM" in error.message


@pytest.mark.parametrize(
    "message",
    [
        "Amazon Pinpoint has reached end of support.",
        "This API is no longer available.",
        "The operation is deprecated",
    ],
)
def test_pinpoint_end_of_support_answer_is_explained(
    jobs: Jobs, stubs: Stubs, message: str
) -> None:
    error = _fail(jobs, stubs, "pinpoint", "BadRequestException", message)

    assert isinstance(error, ServiceUnavailableError)
    assert error.message.startswith(f"Amazon Pinpoint: {END_OF_SUPPORT}")
    assert message in error.message


# -- A listing of every service ------------------------------------------------------


# Each service's first call of a listing, its request, and an answer putting the service
# out of reach (its exit code): all but Personalize's, which the tests answer themselves.
OUT_OF_REACH: dict[str, tuple[str, dict[str, Any], str, str, int, ExitCode]] = {
    "backupsearch": ("list_search_result_export_jobs", {"MaxResults": 1000},
                     "AccessDeniedException", "no", 403, ExitCode.CREDENTIALS),
    "discovery": ("describe_export_tasks", {"maxResults": 100},
                  "HomeRegionNotSetException", "no home", 400, ExitCode.AWS),
    "pinpoint": ("get_apps", {"PageSize": "100"},
                 "ForbiddenException", "Amazon Pinpoint is no longer available", 403,
                 ExitCode.CREDENTIALS),
    "dynamodb": ("list_exports", {"MaxResults": 25},
                 "AccessDeniedException", "no", 400, ExitCode.CREDENTIALS),
    "ec2": ("describe_export_image_tasks", {"MaxResults": 500},
            "UnauthorizedOperation", "no", 403, ExitCode.CREDENTIALS),
    "logs": ("describe_export_tasks", {"limit": 50},
             "AccessDeniedException", "no", 400, ExitCode.CREDENTIALS),
    "rds": ("describe_export_tasks", {"MaxRecords": 100},
            "AccessDenied", "no", 403, ExitCode.CREDENTIALS),
}  # fmt: skip


def test_every_service_but_personalize_can_be_put_out_of_reach() -> None:
    assert set(OUT_OF_REACH) == set(service_names()) - {"personalize"}


def _unavailable_everywhere_but_personalize(stubs: Stubs) -> None:
    stubs.every_service()
    for service, (method, request, code, message, status, _) in OUT_OF_REACH.items():
        stubs(service).add_client_error(method, code, message, status, expected_params=request)


def test_services_out_of_reach_are_notices_in_a_listing_of_all(jobs: Jobs, stubs: Stubs) -> None:
    _unavailable_everywhere_but_personalize(stubs)
    add_list_pages(stubs, "personalize", [[1], [2]])

    result = jobs.list(ListQuery())

    assert [j.service for j in result.jobs] == ["personalize", "personalize"]
    assert result.failures == []
    assert sorted(str(n.service) for n in result.notices) == sorted(OUT_OF_REACH)
    assert all(isinstance(n, ServiceUnavailableError) for n in result.notices)


def test_when_no_service_answers_the_notices_are_failures(jobs: Jobs, stubs: Stubs) -> None:
    _unavailable_everywhere_but_personalize(stubs)
    stubs("personalize").add_client_error(
        "list_dataset_export_jobs", "AccessDeniedException", "no", 400,
        expected_params={"maxResults": 100},
    )  # fmt: skip

    result = jobs.list(ListQuery())

    assert result.jobs == [] and result.notices == []
    assert len(result.failures) == len(service_names())


def test_when_no_service_answers_another_failure_does_not_keep_the_notices(
    jobs: Jobs, stubs: Stubs
) -> None:
    # As over several regions: nothing read is no partial view, whatever else failed.
    _unavailable_everywhere_but_personalize(stubs)
    stubs("personalize").add_client_error(
        "list_dataset_export_jobs", "InternalFailure", "boom", 500,
        expected_params={"maxResults": 100},
    )  # fmt: skip

    result = jobs.list(ListQuery())

    assert result.jobs == [] and result.notices == []
    # In the order of the services, each with its own exit code.
    assert [f.service for f in result.failures] == list(service_names())
    codes = {service: row[-1] for service, row in OUT_OF_REACH.items()}
    codes["personalize"] = ExitCode.AWS
    assert [f.exit_code for f in result.failures] == [codes[s] for s in service_names()]


def test_a_service_asked_for_by_name_fails_when_out_of_reach(jobs: Jobs, stubs: Stubs) -> None:
    stubs("pinpoint").add_client_error(
        "get_apps", "ForbiddenException", "end of support", 403, expected_params={"PageSize": "100"}
    )

    result = jobs.list(ListQuery(services=("pinpoint",)))

    assert result.notices == []
    [failure] = result.failures
    assert failure.exit_code == ExitCode.CREDENTIALS
    assert END_OF_SUPPORT in failure.message


def test_one_service_failing_with_5xx_keeps_the_others(jobs: Jobs, stubs: Stubs) -> None:
    stubs.every_service()
    stubs("backupsearch").add_client_error(
        "list_search_result_export_jobs", "InternalServerException", "boom", 500,
        expected_params={"MaxResults": 1000},
    )  # fmt: skip
    others = [s for s in service_names() if s != "backupsearch"]
    for n, service in enumerate(others, start=1):
        add_listing(stubs, service, [n])

    result = jobs.list(ListQuery())

    assert sorted(j.service for j in result.jobs) == sorted(others)
    [failure] = result.failures
    assert (failure.service, failure.exit_code) == ("backupsearch", ExitCode.AWS)
    assert "HTTP 500" in failure.message


# -- No credentials, no network --------------------------------------------------------


def test_no_credentials_is_exit_4_with_the_configure_hint() -> None:
    jobs = make_jobs(access_key=None, secret_key=None)

    with pytest.raises(CredentialsError) as caught:
        jobs.get(parse("discovery:export-1"))

    assert caught.value.exit_code == ExitCode.CREDENTIALS
    assert CONFIGURE_HINT in caught.value.message


def test_unreachable_endpoint_is_exit_5() -> None:
    jobs = make_jobs()  # its endpoint is a closed port on 127.0.0.1

    with pytest.raises(AwsError) as caught:
        jobs.get(parse("discovery:export-1"))
    result = jobs.list(ListQuery())

    assert caught.value.exit_code == ExitCode.AWS
    assert "could not reach http://127.0.0.1:" in caught.value.message
    assert "\n" not in caught.value.message
    assert len(result.failures) == len(service_names()) and result.jobs == []


@pytest.mark.parametrize(
    ("exc", "cls", "code"),
    [
        (bex.EndpointConnectionError(endpoint_url="https://x"), AwsError, ExitCode.AWS),
        (bex.ConnectionClosedError(endpoint_url="https://x"), AwsError, ExitCode.AWS),
        (bex.ConnectTimeoutError(endpoint_url="https://x"), AwsError, ExitCode.AWS),
        (bex.ReadTimeoutError(endpoint_url="https://x"), AwsError, ExitCode.AWS),
        (ConnectionResetError("reset by peer"), AwsError, ExitCode.AWS),
        (bex.NoCredentialsError(), CredentialsError, ExitCode.CREDENTIALS),
        (bex.PartialCredentialsError(provider="env", cred_var="x"), CredentialsError, 4),
        (bex.ProfileNotFound(profile="nope"), UsageError, ExitCode.USAGE),
        (bex.NoRegionError(), UsageError, ExitCode.USAGE),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else None,
)
def test_translate_botocore_exceptions(exc: Exception, cls: type[Any], code: int) -> None:
    error = translate(exc, spec_for("discovery"))

    assert type(error) is cls and error.exit_code == code
    assert "\n" not in error.message


def test_translate_lets_programming_errors_through() -> None:
    with pytest.raises(KeyError):
        translate(KeyError("bug"))
