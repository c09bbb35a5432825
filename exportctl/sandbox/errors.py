"""API errors, and the codes a service uses for the failures the sandbox injects (each
service's own are in its record, ``service.py``)."""

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


def unknown_operation(detail: str) -> ApiError:
    return ApiError("UnknownOperationException", detail, 404)
