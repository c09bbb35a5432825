"""What AWS's error codes and botocore's exceptions say, each question answered once.

:mod:`exportctl.aws.translate` says them as exportctl's errors; the callers that tell
botocore's exceptions apart themselves (a create's outcome, a role refused, S3's
errors said with the object's location, the rule of a listing's failures) ask the
same sets here, so that one answer is not told two ways.
"""

from __future__ import annotations

NOT_FOUND_CODES = frozenset({"ResourceNotFoundException", "NotFoundException", "NotFound"})


def is_not_found(code: str) -> bool:
    """Whether an error code says what was asked for does not exist: the generic
    codes, and each service's own (ExportNotFoundException, ExportTaskNotFound,
    InvalidExportTaskID.NotFound)."""
    return code in NOT_FOUND_CODES or code.endswith(
        ("NotFoundException", "NotFoundFault", "NotFound")
    )


# The credentials' key is unknown here: also what AWS answers valid credentials with
# in an opt-in region the account has not enabled.
UNKNOWN_KEY_CODES = frozenset({"UnrecognizedClientException", "InvalidClientTokenId"})
CREDENTIAL_CODES = UNKNOWN_KEY_CODES | frozenset(
    {
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "MissingAuthenticationTokenException",
        # EC2's: the credentials could not be validated.
        "AuthFailure",
        # S3's: no such access key (a 403, as its refusals by policy are).
        "InvalidAccessKeyId",
    }
)
# The identity, recognised, is not allowed what it asked (an IAM policy, an SCP).
PERMISSION_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "ForbiddenException",
        "AuthorizationErrorException",
        "UnauthorizedOperation",
    }
)
DENIED_CODES = CREDENTIAL_CODES | PERMISSION_CODES
BAD_INPUT_CODES = frozenset(
    {
        "ValidationException",
        "InvalidInputException",
        "BadRequestException",
        "InvalidParameterException",
        "InvalidParameterValueException",
        "InvalidNextTokenException",
        # EC2's (and RDS's query protocol): a parameter refused, missing or at odds.
        "InvalidParameterValue",
        "InvalidParameterCombination",
        "MissingParameter",
    }
)
UNAVAILABLE_CODES = frozenset(
    {
        "SubscriptionRequiredException",
        "OptInRequired",
        "ServiceNotEnabledException",
    }
)

# What botocore's retries back off from; the same words end a retried call that
# never got through, and tell ``wait`` that a later round may.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "SlowDown",
        "PriorRequestNotComplete",
        "TransactionInProgressException",
    }
)

# S3's own words, for the objects ``download`` fetches. An answer to a HEAD has no
# body to say a code in: botocore gives its HTTP status as the code.
S3_NO_BUCKET = "NoSuchBucket"
S3_MISSING_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
# A fetch's IfMatch: the object was replaced since it was listed.
S3_CHANGED = "PreconditionFailed"
S3_DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "403"})


def unreached(exc: BaseException) -> bool:
    """Whether botocore's ``exc`` is a call that could not reach its endpoint: no
    connection (refused, no such host), or one closed before any answer. Said as
    such, and as a server gone where it is known to be (``EndpointGone``)."""
    import botocore.exceptions as bex

    return isinstance(exc, (bex.EndpointConnectionError, bex.ConnectionClosedError))


def never_sent(exc: BaseException) -> bool:
    """Whether botocore's ``exc`` is a call whose request never left: no connection
    was made (refused, no such host, or its connect timed out). A connection closed
    before the answer is not one: the request may have been sent and received, so a
    create that failed so may have happened."""
    import botocore.exceptions as bex

    return isinstance(exc, (bex.EndpointConnectionError, bex.ConnectTimeoutError))


def cut_short(exc: BaseException) -> bool:
    """Whether botocore's ``exc`` is an answer cut short while its body was read: the
    connection, not what was asked for."""
    import botocore.exceptions as bex

    streaming = tuple(
        getattr(bex, name)
        for name in ("ResponseStreamingError", "IncompleteReadError", "ReadTimeoutError")
        if hasattr(bex, name)
    )
    return isinstance(exc, streaming)
