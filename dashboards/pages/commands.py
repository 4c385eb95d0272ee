"""The commands an empty chart or list names, so the reader knows how to fill it."""

COLLECT_GIT = "gemba collect git PATH"
COLLECT_GITHUB = "gemba collect github --only pulls"
COLLECT_CI = "gemba collect github --only ci"
RAISE_FLAG = 'gemba flag "what hurts"'
COLLECT_DELIVERY = "gemba collect github --only delivery"
