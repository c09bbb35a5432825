"""An endpoint that answers, but not as the service (a proxy's login page): the advice
names the setting the endpoint came from, as the line of an endpoint not reached
does, whichever check found the answer wrong."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from e2e_support import in_process

pytestmark = pytest.mark.e2e

KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "x",
    "AWS_REGION": "us-east-1",
    "AWS_MAX_ATTEMPTS": "1",
    # A call that missed the stand-in (a setting botocore does not read) goes nowhere.
    "HTTPS_PROXY": "http://127.0.0.1:9",
}
# botocore's name for each service in the endpoint settings (the variable's suffix, the
# key of a profile's services section): its model's service id, snake-cased.
CONFIG_KEYS = {
    "dynamodb": "dynamodb",
    "discovery": "application_discovery_service",
    "ec2": "ec2",
    "rds": "rds",
}


class StandIn(BaseHTTPRequestHandler):
    """Every request answered 200 with the server's ``body`` as text/html."""

    server: StandInServer

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = self.server.body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_: object) -> None:
        pass


class StandInServer(ThreadingHTTPServer):
    body = "<html>proxy login</html>"


@pytest.fixture
def stand_in() -> Iterator[StandInServer]:
    server = StandInServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _settings(where: str, service: str, url: str, folder: Path) -> tuple[list[str], dict[str, str]]:
    """The options and the environment that send ``service``'s calls to ``url`` by
    the setting ``where`` names."""
    config, key = folder / "config", CONFIG_KEYS[service]
    if where == "option":
        return ["--endpoint-url", url], {}
    if where == "variable":
        return [], {"AWS_ENDPOINT_URL": url}
    if where == "service-variable":
        return [], {f"AWS_ENDPOINT_URL_{key.upper()}": url}
    if where == "profile":
        config.write_text(f"[default]\nendpoint_url = {url}\n")
    else:
        config.write_text(
            f"[default]\nservices = here\n\n[services here]\n{key} =\n  endpoint_url = {url}\n"
        )
    return [], {"AWS_CONFIG_FILE": str(config)}


NAMED = {
    "option": "--endpoint-url",
    "variable": "AWS_ENDPOINT_URL",
    "service-variable": "AWS_ENDPOINT_URL_{KEY}",
    "profile": "the endpoint_url of profile 'default'",
    "services-section": "the services section of profile 'default'",
}


@pytest.mark.parametrize("where", list(NAMED))
@pytest.mark.parametrize(
    ("service", "body", "said"),
    [
        # JSON of no shape: the engine's check of the listing's items.
        ("dynamodb", "<html>proxy login</html>", "ListExports answered (HTTP 200, text/html)"),
        ("discovery", "<html>proxy login</html>", "DescribeExportTasks answered (HTTP 200, "),
        ("ec2", "<html>proxy login</html>", "DescribeExportImageTasks answered (HTTP 200, "),
        # XML without its result element: what the parser trips over, of another shape.
        ("rds", "<html>proxy login</html>", "answered with something its model does not"),
        # No XML at all: the parser's own error.
        ("rds", "proxy login", "an answer that cannot be read"),
    ],
    ids=["dynamodb", "discovery", "ec2", "rds-shape", "rds-unparsed"],
)
def test_an_answer_that_is_not_the_service_names_where_the_endpoint_was_set(
    stand_in: StandInServer,
    tmp_path: Path,
    where: str,
    service: str,
    body: str,
    said: str,
) -> None:
    # The advice named --endpoint-url whichever setting the endpoint came from.
    stand_in.body = body
    url = f"http://127.0.0.1:{stand_in.server_address[1]}"
    args, env = _settings(where, service, url, tmp_path)
    done = in_process(None, *args, "list", "-s", service, **KEYS, **env)
    assert done.returncode == 5, done.stderr
    assert done.stderr.count("\n") == 1 and said in done.stderr, done.stderr
    named = NAMED[where].format(KEY=CONFIG_KEYS[service].upper())
    assert done.stderr.endswith(f"; check the network and {named}\n"), done.stderr
