"""The API's tests run against the sandbox as the plugin serves it to the API's users:
its fixtures, taken here by name (the plugin itself is loaded as a user loads it
in ``test_api_plugin.py``)."""

from __future__ import annotations

from exportctl.testing import exportctl_sandbox, exportctl_sandbox_server

__all__ = ["exportctl_sandbox", "exportctl_sandbox_server"]

# A user's test folder, run by test_api_plugin.py in a pytest of its own.
collect_ignore = ["plugin_user"]
