"""A local emulator of the eight AWS services exportctl reads export jobs from.

An unmodified boto3/botocore client pointed at it with ``endpoint_url`` (any
region, dummy credentials) talks to it as it talks to AWS::

    from exportctl.sandbox import Sandbox, Faults

    sb = Sandbox(port=0, faults=Faults(latency=0.0, throttle_rate=0.0, error_rate=0.0,
                                       page_size=None, drop_rate=0.0),
                 seed=7, clock=None, accounts=None,
                 discovery_tasks=None)  # and any record's scale keyword (Bulk.keyword):
                                        # logs_tasks, rds_tasks, ec2_tasks
    sb.start()              # 127.0.0.1 only, daemon thread; also a context manager
    sb.url                  # "http://127.0.0.1:PORT"
    sb.region               # "us-east-1"
    sb.env()                # AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, AWS_REGION,
                            # AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_EC2_METADATA_DISABLED
    sb.advance(30)          # move the scenario clock; returns elapsed seconds
    sb.set_status("personalize", arn, "CREATE STOPPING")   # any string, even unknown ones
    sb.delete_job("pinpoint", job_id)
    sb.faults.throttle_rate = 0.3                          # mutable at runtime
    sb.calls[("discovery", "DescribeExportTasks")]        # Counter per (service, operation)
    sb.reset_calls()
    sb.output_locations()   # [OutputLocation(service, region, job_id, uri)] of completed jobs
    sb.jobs()               # every live job and its current status (account=None: all)
    sb.stop()               # and the connections clients keep open with it

Services (botocore names): ``backupsearch``, ``pinpoint``, ``personalize``,
``discovery``, ``dynamodb``, ``rds``, ``logs``, ``ec2``. Requests are routed by
``X-Amz-Target`` (json: Personalize, Discovery, DynamoDB, CloudWatch Logs), by
method and path (rest-json: Backup Search, Pinpoint, from the botocore model), or,
for a form-encoded POST (query: RDS; ec2: EC2), by the service it is signed for
and its ``Action``; the SigV4 credential scope picks the region (and the service
where a path would be ambiguous). Signatures are not
checked; the access key id ``DENIED`` is refused with each service's
access-denied error.

``clock`` is a monotonic source (``lambda: 0.0`` freezes time so only
:meth:`Sandbox.advance` moves it) or a :class:`SandboxClock`.

Accounts (``exportctl/sandbox/accounts.py``): an AWS Organization whose
management account ``123456789012`` is what any unknown access key reaches (so
made-up credentials see the seeded jobs as before). ``AKIASANDBOXEXAMPLE02``
and ``03`` are the member accounts ``210987654321`` (us-west-2, ap-southeast-2,
Discovery home us-west-2) and ``345678901234`` (ap-southeast-2, eu-west-1, no
Migration Hub home region); ``AKIASANDBOXEXAMPLE04`` is ``444455556666``,
whose export calls are all denied. ``555566667777`` is SUSPENDED and
``666677778888`` has no role to assume. ``sts:GetCallerIdentity``,
``sts:AssumeRole`` (roles ``OrganizationAccountAccessRole`` and
``exportctl-reader``; temporary ``ASIA…`` keys that expire, ``ExpiredTokenException``
after) and ``organizations:ListAccounts`` (management account only) are
emulated on their own wire protocols (query/XML and json). The opt-in region
``ap-east-1`` is enabled for no account: every export call there answers
``UnrecognizedClientException``. ``sb.access_key(account)``,
``sb.account_calls[(account, service, operation)]``.

Faults (:class:`Faults`): ``latency`` seconds per request, ``throttle_rate`` and
``error_rate`` (0..1, each service's own throttling and 5xx error),
``page_size`` (cap on items per page), ``drop_rate`` (close the socket without
a reply), ``deny`` (set of service names, or ``"*"``), ``session_seconds``
(lifetime of assumed-role credentials). Rolls come from an RNG
seeded with ``seed``.

HTTP control endpoints (JSON) under ``/_sandbox/``:

==========================  ================================================
``GET  /_sandbox/state``    pid, url, region, seed, elapsed, faults, job count,
                            accounts, detached (started by ``sandbox --detach``)
``GET  /_sandbox/clock``    ``{"elapsed", "now"}``
``POST /_sandbox/clock/advance``  ``{"seconds": N}``
``GET|POST /_sandbox/faults``     read / partially update the fault settings
``GET  /_sandbox/calls``    call counts (also ``by_account``); ``POST /_sandbox/calls/reset``
``GET  /_sandbox/accounts`` the organization's accounts and their access keys
``GET  /_sandbox/jobs``     live jobs (``?service=&region=&account=``, ``*``: all)
``POST /_sandbox/jobs/status``    ``{"service", "job_id", "status"}``
``POST /_sandbox/jobs/delete``    ``{"service", "job_id"}``
``GET  /_sandbox/outputs``  output locations of completed jobs
``GET  /_sandbox/downloads/EXPORT_ID.zip``  Discovery export archive
==========================  ================================================

Behaviour worth knowing:

* The management account's data lives in ``us-east-1`` and ``eu-west-1``; other
  regions list nothing.
  Discovery answers only in its Migration Hub home region ``us-east-1``; every
  other region gets ``HomeRegionNotSetException``.
* Discovery ``DescribeExportTasks`` leaves unknown ``exportIds`` out of the
  answer instead of failing (the API documents no not-found error for it);
  more than 100 ids is ``InvalidParameterValueException``; ``maxResults``
  above 100 is clamped to 100.
* Personalize models no server error, so injected 5xx use the generic
  ``InternalFailure`` (HTTP 500).
* Operations of these services that the sandbox does not emulate, and unknown
  paths or targets, answer ``UnknownOperationException``.
* ``calls`` counts every request routed to an operation, including those
  answered with an injected fault or dropped.

Run in the foreground with ``python -m exportctl.sandbox --help``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exportctl.sandbox.clock import SandboxClock
    from exportctl.sandbox.faults import Faults
    from exportctl.sandbox.jobs import OutputLocation
    from exportctl.sandbox.server import Sandbox

__all__ = ["Faults", "OutputLocation", "Sandbox", "SandboxClock"]

# Imported on first use: the server brings botocore (its models), which a module of
# the package read without serving (``scale``, for `exportctl sandbox --help`) must not.
_HOMES = {
    "Faults": "exportctl.sandbox.faults",
    "OutputLocation": "exportctl.sandbox.jobs",
    "Sandbox": "exportctl.sandbox.server",
    "SandboxClock": "exportctl.sandbox.clock",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
