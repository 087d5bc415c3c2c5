"""One plain sentence per recommended item, naming the signal that contributed most to its score."""
from __future__ import annotations

import numpy as np

from core.keywords import Topic

FALLBACK = "Among the closest matches left."


def topic_words(topic: int, topics: list[Topic]) -> str:
    """A topic's name if the analyst gave one, else its first three keywords as written (Chinese words stay
    Chinese), or 'topic N'."""
    found = next((t for t in topics if t.id == topic), None)
    if found is None or not (found.name or found.words):
        return f"topic {topic}"
    return found.name or ", ".join(found.words[:3])


def about_topic(share: np.ndarray, predicted: np.ndarray, item_topics: np.ndarray, topics: list[Topic], *,
                wrote: bool, liked: bool) -> str:
    """The topic that made the item match, in its keywords, and its share of what the user wrote or liked."""
    t = int((predicted * item_topics).argmax())
    words = topic_words(t, topics)
    if share[t] < 0.1:
        return f"About {words}: people with interests like yours also follow this topic."
    source = "what you write and like" if wrote and liked else "what you write" if wrote else "what you liked"
    return f"About {words}, {round(100 * share[t])} % of {source}."


def also_liked(title: str, taken: bool = True) -> str:
    """Collaborative filtering's reason; for an item nobody has yet, whose factors came from its text."""
    if taken:
        return f"People who liked {title} also liked this."
    return f"New: nobody has it yet, but people who liked {title} go for items like it."


def close_to(name: str, liked: bool) -> str:
    return f"Close to {name}, which you liked." if liked else f"Close to what you wrote: “{name}”."


def popular(users: float, taken: bool = True) -> str:
    """Popularity's reason; for an item nobody has yet, whose popularity came from its text."""
    if taken:
        return f"Popular right now: {int(users)} users have it."
    return "New: nobody has it yet, but items like it are popular."


def snippet(text: str, length: int = 60) -> str:
    """The start of a text on one line, cut at a word and marked with … when cut."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0] if " " in flat[:length] else flat[:length]
    return cut + "…"
