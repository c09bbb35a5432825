"""The listing engine: every listing of jobs, over one target or many, page by page.

A *target* is one service of one account in one region. ``list`` and ``watch``
read through :class:`fanout.Fanout` whatever they span: one account and one region
is a fan-out of one target per service (:meth:`exportctl.ops.jobs.Jobs.fanout`);
several regions, profiles or an organization's accounts give a target per
(account, region, service) (:meth:`exportctl.ops.core.Board.fanout`).

- :mod:`.targets`: what a target is (credentials, service, region) and what a
  command spans.
- :mod:`.fanout`: the reading, targets on threads under caps, pages through a
  bounded queue.
- :mod:`.slots`: the caps, on the calls in flight (a target's own, and the
  describes of its summaries) per account and region and in all.
- :mod:`.failures`: the one failure rule, which makes each target's failure an
  error or a notice.
- :mod:`.progress`: how far a listing is, for its progress line.
"""
