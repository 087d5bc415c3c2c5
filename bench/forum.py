"""A corpus of long, messy forum posts for the speed benchmark (issue 17), built from the shared BBC News
articles and seeded: each post takes a run of sentences from one article, often quotes an earlier post
("> ..."), often ends with a signature, and one in a hundred carries a uuencoded or base64 attachment of
100,000-200,000 characters, as mailing-list archives do. Written to bench/out/speed/forum-N.csv.
"""
from __future__ import annotations

import base64
import binascii
import re

import numpy as np
import pandas as pd

from common import BBC, ROOT

OUT = ROOT / "bench" / "out" / "speed"
SIGNATURES = ["-- \nSent from my phone", "-- \nRegards,\nSam", "--\nJo | moderator | be kind",
              "-- \n\"Simplicity is prerequisite for reliability.\"", "Cheers,\nAlex\nhttp://example.org/~alex"]
GREETINGS = ["Hi all,", "Hello,", "Re: your question", "Quick update:", "", "", "Agreed.", "Not sure about this one."]


def forum_posts(n: int = 7500, seed: int = 0):
    """The path of a CSV of n posts (columns user, text), written once."""
    path = OUT / f"forum-{n}.csv"
    if path.is_file():
        return path
    rng = np.random.default_rng(seed)
    articles = [[s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.split()) >= 4]
                for text in pd.read_csv(BBC)["text"]]
    posts = []
    for i in range(n):
        article = articles[rng.integers(len(articles))]
        start = int(rng.integers(max(1, len(article) - 4)))
        body = " ".join(article[start:start + int(rng.integers(2, 7))])
        parts = [GREETINGS[rng.integers(len(GREETINGS))], body]
        if posts and rng.random() < 0.4:  # quoting an earlier post
            quoted = posts[rng.integers(len(posts))].splitlines()[:int(rng.integers(2, 8))]
            parts.insert(1, "\n".join("> " + line for line in quoted if line))
        if rng.random() < 0.5:
            parts.append(SIGNATURES[rng.integers(len(SIGNATURES))])
        if rng.random() < 0.01:
            parts.append(attachment(rng, int(rng.integers(75_000, 150_000))))
        posts.append("\n\n".join(p for p in parts if p))
    OUT.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"user": [f"member{rng.integers(600)}" for _ in posts], "text": posts}).to_csv(path, index=False)
    return path


def attachment(rng: np.random.Generator, size: int) -> str:
    """A file of `size` random bytes, uuencoded (begin ... end) or as base64 lines."""
    data = rng.bytes(size)
    if rng.random() < 0.5:
        lines = "".join(binascii.b2a_uu(data[i:i + 45]).decode() for i in range(0, len(data), 45))
        return f"begin 644 scan{rng.integers(100)}.jpg\n{lines}`\nend"
    encoded = base64.b64encode(data).decode()
    return "Content-Transfer-Encoding: base64\n\n" + "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
