"""The served app and the browser, shared by every browser test module."""

from tests.browser.test_pages_in_browser import browser, served

__all__ = ["browser", "served"]
