"""What a test does to the process through the fixture is its own: boto3's default
session and the sandbox's faults are as they were after it. The user's machine
exports a profile of their own (``myprof``, with keys of their own)."""

import pytest

from exportctl import Client

USERS_KEY = "AKIAUSERSOWNKEY"


@pytest.fixture
def boto3():
    # Imported by the tests that use it (the first file checks nothing heavy is).
    import boto3

    return boto3


def test_a_boto3_reaches_the_sandbox(exportctl_sandbox, boto3):
    # boto3 first imported here, in the test the fixture points.
    logs = boto3.client("logs")
    assert logs.meta.endpoint_url == exportctl_sandbox.url
    assert "exportTasks" in logs.describe_export_tasks()


def test_b_and_its_session_is_gone_after(boto3):
    assert boto3.DEFAULT_SESSION is None


def test_c_the_users_default_session(boto3):
    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION.get_credentials().access_key == USERS_KEY


def test_d_is_not_the_one_a_fixtures_test_signs_with(boto3, exportctl_sandbox):
    logs = boto3.client("logs")
    assert logs.meta.endpoint_url == exportctl_sandbox.url
    signed_with = boto3.DEFAULT_SESSION.get_credentials().access_key
    assert signed_with == exportctl_sandbox.credentials.access_key_id
    assert "exportTasks" in logs.describe_export_tasks()


def test_e_and_is_given_back_after(boto3):
    assert boto3.DEFAULT_SESSION.get_credentials().access_key == USERS_KEY
    assert boto3.client("logs").meta.region_name == "eu-west-1"


def test_f_a_test_sets_faults(exportctl_sandbox):
    exportctl_sandbox.sandbox.faults.update({"deny": ["discovery"], "latency": 0.5})


def test_g_the_next_test_has_none(exportctl_sandbox):
    from exportctl.sandbox import Faults

    assert exportctl_sandbox.sandbox.faults == Faults()
    assert list(Client().list("discovery"))


def test_h_botocores_backoffs_move_the_sandbox_clock(exportctl_sandbox):
    exportctl_sandbox.sandbox.faults.update({"fates": {"DescribeExportTasks": ["throttle"] * 3}})
    before = exportctl_sandbox.elapsed
    assert list(Client().list("discovery"))
    assert exportctl_sandbox.sandbox.calls["discovery", "DescribeExportTasks"] >= 4
    assert exportctl_sandbox.elapsed > before
