"""Starting export jobs: the request from options, checked, and created exactly once.

A create that times out or gets a 5xx may have happened. Retrying it blindly could
make a second export, so creates are retried here (:mod:`.starter`), not by botocore
(their clients make one attempt a call), with each service's way of knowing
(``Create.idempotency``), by which :mod:`.recovery` finds the job an attempt made:

- ``token``: one client token per command, the same on every attempt;
- ``name``: after an attempt whose outcome is unknown, "already exists" is our job
  when its parameters match and it was created since the command started, and an
  error otherwise;
- ``listing``: the jobs with our parameters are noted before the first attempt;
  after an attempt whose outcome is unknown, a job with our parameters that was not
  there before and was created since the command started is ours. The listing is
  read for a while (``LOOKS``) before the create is sent again, since it can lag.

Throttling is a refusal, not an unknown outcome: it is retried without a look
(:mod:`.outcomes`). The request itself is built and checked in :mod:`.request`;
what a rerun reuses of a finished job, in :mod:`.rerun`. A service's limit on the
jobs it runs at once (``Create.active_limit``) is counted before the create, and
waited out with ``--queue``, in :mod:`.slots`.
"""
