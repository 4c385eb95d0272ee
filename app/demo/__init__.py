"""The demo organisation: generated git repositories, GitHub scenario files, people and flags.

Product code (used by `gemba demo`), so it imports nothing from tests/.
"""
