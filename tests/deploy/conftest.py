"""The Slack tests' app fixtures, for the request-log tests here."""

from tests.slack.conftest import desk, serve_app  # noqa: F401 - fixtures, used by name
