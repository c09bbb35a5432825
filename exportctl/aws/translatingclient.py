"""Clients whose calls raise exportctl's errors, never botocore's.

:meth:`exportctl.aws.clients.Clients.client` hands every client out wrapped in a
:class:`TranslatingClient`: what a call raises is translated there, once
(:func:`exportctl.aws.translate.translate`), with botocore's exception as its
``__cause__`` (what AWS answered stays readable: ``answer_of(error.__cause__)``).

The wrapper is a thin proxy rather than a hook on botocore's events, because the same
botocore client serves callers that name different services in their messages (a
service declared over another one's API). A caller that tells botocore's exceptions
apart itself takes the client underneath (``bare``): a create's outcome
(exportctl.ops.start), a role refused while botocore fetches credentials for another
call, S3's errors said with the object's location (exportctl.ops.download).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from exportctl.aws.deadlines import BACKOFFS
from exportctl.aws.errorcodes import unreached
from exportctl.aws.translate import Service, translate
from exportctl.domain.errors import (
    NO_ANSWER,
    BrokenAnswerError,
    EndpointGone,
    ExportctlError,
    clip,
)
from exportctl.domain.naming import Named, check_network, flag

# What botocore's parser raises on well-formed JSON of the wrong shape.
SHAPE_SLIPS = (AttributeError, TypeError, KeyError, IndexError)


@dataclass(frozen=True)
class CallErrors:
    """How the errors of a client's calls are said: what only the caller knows."""

    # The service the messages name, whose spec explains some of its codes; None: "AWS".
    service: Service | None = None
    # Whether a call retried to the end says how long it took, retries included.
    timed: bool = False
    # Whether a TypeError, KeyError, AttributeError or IndexError met anywhere in the
    # call, not only in botocore's parser (translate's rule), is an answer of another
    # shape than the model's: the export APIs' calls, whose callers say so.
    shape_slips: bool = False

    def of(
        self,
        exc: Exception,
        operation: str,
        started: float,
        named: Named = flag,
        gone: Gone | None = None,
    ) -> ExportctlError:
        """``exc``, raised by the call of ``operation`` begun at ``started``, as exportctl's
        (``named``: how the caller's user gives an option, in the advice; ``gone``:
        what a failure to connect says when the server is known to be gone)."""
        if gone is not None and unreached(exc):
            # Asked only now: the check is cheap, but a call that connected needs none.
            said = gone()
            if said is not None:
                return EndpointGone(said, service=self.service.name if self.service else None)
        if self.shape_slips and isinstance(exc, SHAPE_SLIPS):
            # The service is named by the caller, as for the other checks of an answer.
            return BrokenAnswerError(
                f"{operation} answered with something its model does not describe "
                f"({type(exc).__name__}: {clip(exc)}): {NO_ANSWER}",
                advice=check_network,
                named=named,
            )
        seconds = BACKOFFS.clock() - started if self.timed else None
        return translate(exc, self.service, seconds=seconds, named=named)


# What a call that cannot connect says instead, when its server is known to be gone
# (AwsSettings.gone); None: nothing is known.
Gone = Callable[[], "str | None"]
# Messages that name no service ("AWS: ..."), a call's time left out.
DEFAULT_ERRORS = CallErrors()


class TranslatingClient:
    """A botocore client (``bare``) whose API calls raise exportctl's errors, said as
    ``errors`` says; anything else (``meta``, ``close``, paginators) is the client's own,
    a paginator's calls included (exportctl pages itself: exportctl.services.engine).

    An operation's method is made on its first use and kept on the instance, so that
    the calls after it cost one attribute lookup and one ``try`` more than botocore's.

    ``scope``, when given, is entered around each API call: a botocore client shared
    by the accounts of an organisation signs with the credentials the scope chooses
    (exportctl.aws.callcredentials); ``bare`` calls have none. ``named``: how the
    messages name an option, and ``gone`` what a call that cannot connect says when
    its server is known to be gone, as the settings of the client's maker say.
    """

    def __init__(
        self,
        bare: Any,
        errors: CallErrors = DEFAULT_ERRORS,
        scope: Scope | None = None,
        named: Named = flag,
        gone: Gone | None = None,
    ) -> None:
        self.bare = bare
        self.errors = errors
        self.scope = scope
        self.named = named
        self.gone = gone
        self._operations: Mapping[str, str] = bare.meta.method_to_api_mapping

    def said_as(self, errors: CallErrors) -> TranslatingClient:
        """The same botocore client, its errors said as ``errors`` says."""
        return TranslatingClient(self.bare, errors, self.scope, self.named, self.gone)

    def call(self, operation: str, params: Mapping[str, Any]) -> Any:
        """The API operation ``operation`` (its name in the model: ``GetExportJob``)."""
        started = BACKOFFS.clock()
        try:
            # Looked up inside: an operation this botocore's model lacks is said too.
            method = getattr(self.bare, _method_name(operation))
            if self.scope is None:
                return method(**params)
            with self.scope():
                return method(**params)
        except Exception as exc:
            raise self.errors.of(exc, operation, started, self.named, self.gone) from exc

    def __getattr__(self, name: str) -> Any:
        if name in _OWN:
            # Not set yet (a copy being made): not the client's.
            raise AttributeError(name)
        attribute = getattr(self.bare, name)
        operation = self._operations.get(name)
        if operation is None:
            return attribute
        method = _translating(attribute, operation, self.errors, self.scope, self.named, self.gone)
        setattr(self, name, method)
        return method

    def __repr__(self) -> str:
        return f"TranslatingClient({self.bare!r}, {self.errors!r})"


_OWN = frozenset({"bare", "errors", "scope", "named", "gone", "_operations"})
# What each call of a shared client runs in (see TranslatingClient).
Scope = Callable[[], AbstractContextManager[None]]
# An operation's name in the model -> its method's (botocore.xform_name, imported late).
_METHOD_NAMES: dict[str, str] = {}


def _method_name(operation: str) -> str:
    name = _METHOD_NAMES.get(operation)
    if name is None:
        from botocore import xform_name

        name = _METHOD_NAMES[operation] = xform_name(operation)
    return name


def _translating(
    method: Callable[..., Any],
    operation: str,
    errors: CallErrors,
    scope: Scope | None,
    named: Named,
    gone: Gone | None,
) -> Any:
    def call(**params: Any) -> Any:
        started = BACKOFFS.clock()
        try:
            return method(**params)
        except Exception as exc:
            raise errors.of(exc, operation, started, named, gone) from exc

    if scope is None:
        return call

    def scoped(**params: Any) -> Any:
        with scope():
            return call(**params)

    return scoped
