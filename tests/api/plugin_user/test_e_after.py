"""After the tests that used the sandbox, nothing of it is left in the environment."""

import os


def test_no_sandbox_endpoint_is_left():
    assert not [name for name in os.environ if name.startswith("AWS_ENDPOINT")]
    assert os.environ["AWS_PROFILE"] == "myprof"
