"""Loaded, the plugin offers its fixture and has imported nothing heavy: this test,
the first of the folder, asks for no fixture of it (the other file imports
exportctl's API, which imports no more than it needs either)."""

import sys


def test_the_plugin_is_loaded_and_light(request):
    plugin = request.config.pluginmanager.get_plugin("exportctl.testing")
    assert plugin is not None and callable(plugin.exportctl_sandbox)
    heavy = {"boto3", "botocore", "s3transfer", "rich", "exportctl.sandbox"}
    assert heavy & set(sys.modules) == set()
