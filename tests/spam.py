"""SpamAssassin (local rules only) run on messages as they came from the real SMTP server."""

import re
import shutil
import subprocess

import pytest

SPAMASSASSIN = shutil.which("spamassassin")
needs_spamassassin = pytest.mark.skipif(
    SPAMASSASSIN is None, reason="SpamAssassin is not installed (apt-get install spamassassin)"
)
_STATUS = re.compile(
    rb"^X-Spam-Status: \w+, score=(-?[\d.]+) .*?tests=([^\n]*(?:\n\s+[^\n]*)*)", re.M
)


def spam_score(raw):
    """(score, rule names) of one message, as SpamAssassin's local rules see it."""
    run = subprocess.run(
        [SPAMASSASSIN, "-L", "-t", "-x", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0"],
        input=raw,
        capture_output=True,
        check=True,
        timeout=300,
    )
    (found,) = _STATUS.findall(run.stdout)
    return float(found[0]), " ".join(found[1].decode().split())


def spam_scores(raw_messages):
    """[(score, rule names)] of each message, one SpamAssassin run each (as an MTA does)."""
    return [spam_score(raw) for raw in raw_messages]
