"""POST /slack/interactions: Slack delivers a click on a prompt's button here.

Slack signs each delivery with the app's signing secret; a bad or stale signature (older than
five minutes, so a captured request cannot be replayed later) gets 401 and stores nothing.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request, Response, status
from slack_sdk.signature import SignatureVerifier

from app.http.deps import SessionDep, SettingsDep
from app.nudges.prompt import record_answer

router = APIRouter(tags=["slack"])


@router.post(
    "/slack/interactions",
    status_code=200,
    responses={400: {"description": "Not a prompt answer"}, 401: {"description": "Bad signature"}},
)
async def slack_interactions(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    """Verify Slack's signature, then store the prompt's answer once (retries change nothing)."""
    body = await request.body()
    secret = settings.slack_signing_secret
    if secret is None or not SignatureVerifier(secret.get_secret_value()).is_valid(
        body,
        request.headers.get("X-Slack-Request-Timestamp", ""),
        request.headers.get("X-Slack-Signature", ""),
    ):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid Slack signature")
    try:
        payload = json.loads(parse_qs(body.decode("utf-8"))["payload"][0])
        action = payload["actions"][0]
        slack_user = str(payload["user"]["id"])
        record_answer(db, slack_user, str(action["action_id"]), str(action["value"]))
    except (KeyError, IndexError, TypeError, ValueError, UnicodeDecodeError) as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"not a prompt answer: {error}") from None
    return Response(status_code=200)
