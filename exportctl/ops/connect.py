"""The core built from settings: what the command line's global options and the
API's :class:`exportctl.api.Client` both make, so that both read the configuration
(the environment, a profile, --region, --org-role) the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.core import Board
from exportctl.ops.credentials import Accounts, Regions
from exportctl.services import client_operations
from exportctl.services.forms import Named, flag


@dataclass(frozen=True)
class Targets:
    """Whose jobs, where: what --region, --profile, --org-role and --accounts asked for."""

    regions: Regions = field(default_factory=Regions)
    accounts: Accounts = field(default_factory=Accounts)

    @classmethod
    def parse(
        cls,
        region: Sequence[str] = (),
        profile: Sequence[str] = (),
        org_role: str | None = None,
        accounts: Sequence[str] = (),
        named: Named = flag,
    ) -> Targets:
        """Values as the options take them (each may be ``a,b``); a usage error for
        a combination that means nothing, naming the options as ``named`` does."""
        return cls(Regions.parse(region, named), Accounts.parse(profile, org_role, accounts, named))

    def settle(self, settings: AwsSettings) -> AwsSettings:
        """``settings`` with the one region and the one profile asked for, if that is
        all: they are plain settings, as they always were."""
        names = self.regions.names
        return dataclasses.replace(
            settings,
            region=self.regions.single or (names[0] if names else None),
            profile=self.accounts.profiles[0] if self.accounts.profiles else None,
        )


def check_targets(targets: Targets, named: Named = flag) -> None:
    """A mistyped region is a usage error, not an empty listing. (A region from the
    environment or the profile is checked where it is read: Clients.default_region.)"""
    from exportctl.aws.regions import check_regions

    # "all" stands for every region where the service is offered.
    check_regions(targets.regions.names, source=named("region"))


def connect(
    settings: AwsSettings,
    targets: Targets,
    *,
    endpoints: Mapping[str, Callable[[], str]] | None = None,
    settings_for: Callable[[AwsSettings], AwsSettings] | None = None,
) -> Board:
    """The core over ``targets`` with ``settings`` (already :meth:`Targets.settle`\\ d
    and checked). ``endpoints``: URLs known once needed (the embedded sandbox's S3);
    ``settings_for``: what each profile of ``--profile a,b`` is reached with, from the
    settings it would have (the embedded sandbox gives each its own keys).

    The board's ``clients.settings`` are the settings it settled on: with ``--region
    all`` and no region, the environment's (a known one: default_region checks it),
    else us-east-1, since sts and organizations need one.
    """
    if targets.regions.every and not settings.region:
        probe = Clients(settings)
        configured = probe.session.get_config_variable("region")
        settings = dataclasses.replace(
            settings, region=probe.default_region if configured else "us-east-1"
        )
    base = Clients(settings, endpoints, operations=client_operations())

    def make(given: AwsSettings) -> Clients:
        if settings_for is not None:
            given = settings_for(given)
        return Clients(given, endpoints, loaders=base.loaders, operations=base.operations)

    return Board(
        base,
        regions=targets.regions,
        accounts=targets.accounts,
        make_clients=make,
    )
