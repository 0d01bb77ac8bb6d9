"""The message shortcut "Check against the desk": the draft check on the message it is used on.

Slack gives a message shortcut no way to answer in the acknowledgement, so it is acknowledged
at once and the report goes to the ``response_url`` (an ephemeral message to whoever asked),
or through ``chat.postEphemeral`` if that is refused.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.replies.blocks import fallback_text
from bot.replies.commands.check import check_draft
from bot.slack.listeners import after_ack, post_to_response_url, reply_message, user_of
from bot.slack.services import services_of

logger = logging.getLogger(__name__)

CHECK_DRAFT = "check_draft"  # the shortcut's callback id, as both manifests declare it
# Slack's markup in message text: <https://x|label>, <https://x>, <@U123>, <#C1|name>, <!here>.
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def plain_text(slack_text: str) -> str:
    """A message's ``text`` as the writer sees it: links as their labels, mentions as names,
    and Slack's three escaped characters back as they were typed."""

    def shown(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if label:
            return label if target[:1] not in "@#" else target[0] + label
        if target.startswith("!"):
            return "@" + target[1:].split("^")[0]
        return target

    text = _MARKUP.sub(shown, slack_text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@after_ack
def check_message(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    text = plain_text(str((message or {}).get("text") or ""))
    reply = check_draft(services.router, text, services.clock())
    answer = {**reply_message(reply, services.render), "replace_original": False}
    if post_to_response_url(body.get("response_url"), answer):
        return
    channel = str((body.get("channel") or {}).get("id") or "")
    try:
        client.chat_postEphemeral(
            channel=channel,
            user=user_of(body),
            text=fallback_text(reply),
            blocks=answer["blocks"],
        )
    except (SlackApiError, OSError) as error:
        logger.warning("could not deliver a draft check to %s: %s", user_of(body), error)
