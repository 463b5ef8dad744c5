"""Debian's Chromium, as the browser tests, the ingest evaluation's print-to-PDF and screenshots
start it (never a browser Playwright downloads). The flags keep it off the network it cannot
reach here: without them it opens many refused connections at every start."""
import os

CHROMIUM = os.environ.get("KOHOSHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    """A headless Chromium browser from a sync Playwright instance."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
