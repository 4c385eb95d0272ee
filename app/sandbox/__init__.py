"""A local GitHub API stand-in: serves a scenario folder of GitHub REST objects over real HTTP.

It lets people try Gemba Walk before giving it a token, and lets tests drive PyGithub, unchanged,
against answers shaped like GitHub's (pagination, ETags, rate limits, faults).
"""
