"""The clients of a command have the operations the services call, with the same shapes."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.model import ServiceModel, Shape

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.aws.prunedmodels import pruned
from exportctl.services import all_specs, client_operations

SETTINGS = AwsSettings(region="us-east-1", access_key="x", secret_key="x")


def _whole(service: str) -> dict[str, Any]:
    model: dict[str, Any] = (
        botocore.session.Session()
        .get_component("data_loader")
        .load_service_model(service, "service-2")
    )
    return model


def _walk(shape: Shape | None, seen: set[str]) -> list[tuple[str, str]]:
    """Every shape ``shape`` reaches, by name and type."""
    if shape is None or shape.name in seen:
        return []
    seen.add(shape.name)
    found = [(shape.name, shape.type_name)]
    for child in getattr(shape, "members", {}).values():
        found += _walk(child, seen)
    for part in ("member", "key", "value"):
        found += _walk(getattr(shape, part, None), seen)
    return found


@pytest.mark.parametrize("service", sorted(client_operations()))
def test_each_operation_called_reaches_the_same_shapes(service: str) -> None:
    called = client_operations()[service]
    whole = _whole(service)
    small = ServiceModel(pruned(whole, called), service)
    full = ServiceModel(whole, service)
    assert set(small.operation_names) == called
    for name in called:
        a, b = small.operation_model(name), full.operation_model(name)
        for part in ("input_shape", "output_shape"):
            assert _walk(getattr(a, part), set()) == _walk(getattr(b, part), set())
        assert [e.name for e in a.error_shapes] == [e.name for e in b.error_shapes]
    # Every modeled error, whichever operation AWS answers it to.
    assert {s.name for s in small.error_shapes} == {s.name for s in full.error_shapes}


def test_a_commands_clients_are_made_with_the_operations_called() -> None:
    # botocore makes a method per operation with every client: EC2's model has 860.
    clients = Clients(SETTINGS, operations=client_operations())
    for spec in all_specs():
        model = clients.client(spec.client).bare.meta.service_model
        assert spec.operations() <= set(model.operation_names) <= client_operations()[spec.client]
    # Services no spec names (STS, S3) keep their every operation.
    assert "AssumeRoleWithSAML" in clients.client("sts").bare.meta.service_model.operation_names
    # Given none, every operation of the model.
    whole = Clients(SETTINGS).client("ec2").bare.meta.service_model
    assert len(whole.operation_names) > 500
