"""API errors as each emulated service names them."""

from __future__ import annotations

from dataclasses import dataclass


class ApiError(Exception):
    """An error the client must see as a ``ClientError`` with this code.

    ``status`` is only needed where the model does not fix it (json protocol
    errors, or codes that are not in the service model at all).
    """

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ServiceErrors:
    """The codes one service uses for the generic failures the sandbox injects."""

    throttling: tuple[str, int]
    internal: tuple[str, int]
    denied: tuple[str, int]
    not_found: tuple[str, int]
    invalid: tuple[str, int]
    bad_token: tuple[str, int]

    def throttled(self) -> ApiError:
        code, status = self.throttling
        return ApiError(code, "Rate exceeded", status)

    def internal_error(self) -> ApiError:
        code, status = self.internal
        return ApiError(code, "An internal error occurred. Try again later.", status)

    def access_denied(self, who: str) -> ApiError:
        code, status = self.denied
        return ApiError(code, f"User: {who} is not authorized to perform this action", status)

    def missing(self, message: str) -> ApiError:
        code, status = self.not_found
        return ApiError(code, message, status)

    def invalid_input(self, message: str) -> ApiError:
        code, status = self.invalid
        return ApiError(code, message, status)

    def invalid_token(self) -> ApiError:
        code, status = self.bad_token
        return ApiError(code, "The pagination token is invalid or expired.", status)


SERVICE_ERRORS: dict[str, ServiceErrors] = {
    "backupsearch": ServiceErrors(
        throttling=("ThrottlingException", 429),
        internal=("InternalServerException", 500),
        denied=("AccessDeniedException", 403),
        not_found=("ResourceNotFoundException", 404),
        invalid=("ValidationException", 400),
        bad_token=("ValidationException", 400),
    ),
    "pinpoint": ServiceErrors(
        throttling=("TooManyRequestsException", 429),
        internal=("InternalServerErrorException", 500),
        denied=("ForbiddenException", 403),
        not_found=("NotFoundException", 404),
        invalid=("BadRequestException", 400),
        bad_token=("BadRequestException", 400),
    ),
    "personalize": ServiceErrors(
        throttling=("ThrottlingException", 400),
        # Personalize models no server-side error; the generic AWS code is what it sends.
        internal=("InternalFailure", 500),
        denied=("AccessDeniedException", 400),
        not_found=("ResourceNotFoundException", 400),
        invalid=("InvalidInputException", 400),
        bad_token=("InvalidNextTokenException", 400),
    ),
    "discovery": ServiceErrors(
        throttling=("ThrottlingException", 400),
        internal=("ServerInternalErrorException", 500),
        denied=("AuthorizationErrorException", 400),
        not_found=("InvalidParameterValueException", 400),
        invalid=("InvalidParameterValueException", 400),
        bad_token=("InvalidParameterValueException", 400),
    ),
    "ec2": ServiceErrors(
        throttling=("RequestLimitExceeded", 503),
        internal=("InternalError", 500),
        denied=("UnauthorizedOperation", 403),
        not_found=("InvalidExportTaskID.NotFound", 400),
        invalid=("InvalidParameterValue", 400),
        bad_token=("InvalidPaginationToken", 400),
    ),
    "rds": ServiceErrors(
        throttling=("Throttling", 400),
        internal=("InternalFailure", 500),
        denied=("AccessDenied", 403),
        not_found=("ExportTaskNotFound", 404),
        invalid=("InvalidParameterValue", 400),
        bad_token=("InvalidParameterValue", 400),
    ),
    "sts": ServiceErrors(
        throttling=("Throttling", 400),
        internal=("InternalFailure", 500),
        denied=("AccessDenied", 403),
        not_found=("NoSuchEntity", 404),
        invalid=("ValidationError", 400),
        bad_token=("ValidationError", 400),
    ),
    "dynamodb": ServiceErrors(
        throttling=("ThrottlingException", 400),
        internal=("InternalServerError", 500),
        denied=("AccessDeniedException", 400),
        not_found=("ResourceNotFoundException", 400),
        invalid=("ValidationException", 400),
        bad_token=("ValidationException", 400),
    ),
    "logs": ServiceErrors(
        throttling=("ThrottlingException", 400),
        internal=("ServiceUnavailableException", 500),
        denied=("AccessDeniedException", 400),
        not_found=("ResourceNotFoundException", 400),
        invalid=("InvalidParameterException", 400),
        bad_token=("InvalidParameterException", 400),
    ),
    "organizations": ServiceErrors(
        throttling=("TooManyRequestsException", 400),
        internal=("ServiceException", 500),
        denied=("AccessDeniedException", 400),
        not_found=("AccountNotFoundException", 400),
        invalid=("InvalidInputException", 400),
        bad_token=("InvalidInputException", 400),
    ),
}


def unknown_operation(detail: str) -> ApiError:
    return ApiError("UnknownOperationException", detail, 404)
