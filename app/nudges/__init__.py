"""Nudges in Slack: short messages that ask someone to act, sent within their working hours."""
