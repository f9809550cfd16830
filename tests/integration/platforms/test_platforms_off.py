"""With none of the platform variables set, every platform channel is off and the server runs."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.integration.platforms.conftest import PLATFORM_ENV_VARS, credentials_file, rasa_log
from tooling.stack import Stack, post_json, running_stack

OFF_LINES = {
    "telegram": "telegram channel off: TELEGRAM_ACCESS_TOKEN not set",
    "slack": "slack channel off: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET not set",
    "facebook": (
        "facebook channel off: FACEBOOK_PAGE_ACCESS_TOKEN, FACEBOOK_APP_SECRET, FACEBOOK_VERIFY_TOKEN not set"
    ),
    "twilio": "twilio channel off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER not set",
}


@pytest.fixture(scope="module")
def bare_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    unset = {name: "" for name in PLATFORM_ENV_VARS}  # an empty variable counts as unset
    credentials = credentials_file(Path(tmp_path_factory.mktemp("platforms-off")))
    with running_stack(extra_env=unset, credentials=credentials) as stack:
        yield stack


def test_server_starts_and_each_channel_says_once_that_it_is_off(bare_stack: Stack) -> None:
    assert bare_stack.say("off-test", "hello"), "the REST channel answers"
    log = rasa_log(bare_stack)
    for platform, line in OFF_LINES.items():
        assert log.count(line) == 1, f"{platform}: expected the line {line!r} once"
        assert f"{platform} channel on" not in log
    assert "Traceback" not in log


@pytest.mark.parametrize("platform", sorted(OFF_LINES))
def test_webhooks_of_channels_that_are_off_do_not_exist(bare_stack: Stack, platform: str) -> None:
    status, _ = post_json(f"{bare_stack.rasa_url}/webhooks/{platform}/webhook", {"message": "hi"})
    assert status == 404
