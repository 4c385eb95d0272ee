"""A local Slack Web API stand-in: `slack_sdk.WebClient(base_url=...)` talks to it unchanged.

It lets nudges be tried and tested without a Slack workspace: it answers the five methods the
product calls, records every message, and injects Slack's rate limits and server errors.
"""
