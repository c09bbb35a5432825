"""Polling export jobs until they meet a condition: the engine of `wait` and `watch`.

A round refreshes every job still undecided with as few calls as each service
allows (:meth:`Jobs.refresh_units`), on worker threads: each result is taken as
soon as its call returns, and a job whose call is still running (deep in
botocore's retries) sits the next rounds out while the others go on. Rounds are
driven by tenacity: the first at once, then exponential backoff with jitter from
``interval`` up to ``cap``, each counted from the start of the last round, never
sleeping past the deadline. Throttling, server errors and lost connections during
a round leave the jobs they hit undecided for the next round; only refused
credentials, denied access and requests AWS can never accept end a wait early.

Clock and sleep are injected, so a test moves time instead of waiting for it.
Nothing here prints: progress is reported as an :class:`events.Event` to a callback.

- :mod:`.timing`: the clock and the sleep the commands poll with.
- :mod:`.schedule`: when rounds run (the backoff, the deadline), driven by tenacity.
- :mod:`.outcome`: what a wait knows of each job, and how it ended.
- :mod:`.events`: what a round tells its caller.
- :mod:`.waiter`: `wait`'s rounds, refreshing the jobs still pending.
- :mod:`.watcher`: `watch`'s rounds, listing the jobs of the board.
"""
