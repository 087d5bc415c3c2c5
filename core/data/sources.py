"""The files a corpus is read from, kept as given (name and exact bytes) with the column mapping, so that
the same corpus can be built again from them: in another process, on another machine, from a saved
session (core.sessions). The app, the command line and the bundled demo all build their corpus here.

    sources = Sources(texts=DataFile(name="reviews.csv", data=raw), columns={"text": "review", "user": "author"})
    corpus = sources.corpus()
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.data.corpus import ASSETS, Corpus, build_catalogue, build_corpus, build_interactions
from core.data.files import MAX_BYTES, read_bytes
from core.data.tables import read_table

ROLES = ("text", "user", "item", "label", "time", "domain")  # the columns of the texts' file that a corpus reads


@dataclass(frozen=True, kw_only=True)
class DataFile:
    """One file as it was given: its name (the extension says how to read it), its exact bytes, and what
    the record of inputs calls it (its name unless told otherwise, e.g. 'bundled demo')."""

    name: str
    data: bytes = field(repr=False)
    shown: str = ""

    @classmethod
    def read(cls, path, shown: str = "") -> "DataFile":
        """The file at `path`, refused from its size when over core.data.MAX_BYTES."""
        data, name = read_bytes(path, Path(str(path)).name, MAX_BYTES)
        return cls(name=name, data=data, shown=shown)

    @property
    def label(self) -> str:
        return self.shown or self.name


@dataclass(frozen=True, kw_only=True)
class Sources:
    """The texts' file with its column mapping (role -> column name, None for a role not given; see
    ROLES), and the optional item catalogue and interaction log, whose columns are found by name."""

    texts: DataFile
    columns: dict
    catalogue: DataFile | None = None
    interactions: DataFile | None = None

    def corpus(self) -> Corpus:
        """The validated Corpus these files give (a CoreError says what to fix when they do not)."""
        frame, info = read_table(self.texts.data, name=self.texts.name)
        catalogue = build_catalogue(read_table(self.catalogue.data, name=self.catalogue.name)[0]) \
            if self.catalogue else None
        interactions = build_interactions(read_table(self.interactions.data, name=self.interactions.name)[0]) \
            if self.interactions else None
        return build_corpus(frame, self.columns.get("text") or "", user_col=self.columns.get("user"),
                            item_col=self.columns.get("item"), label_col=self.columns.get("label"),
                            time_col=self.columns.get("time"), domain_col=self.columns.get("domain"),
                            source=self.texts.label, info=info,
                            catalogue=catalogue, interactions=interactions,
                            files={"items": self.catalogue.label if self.catalogue else None,
                                   "interactions": self.interactions.label if self.interactions else None})

    @property
    def size(self) -> int:
        """Bytes held, all files together."""
        return sum(len(f.data) for f in (self.texts, self.catalogue, self.interactions) if f is not None)


def demo_sources() -> Sources:
    """The bundled demo: posts by users, an item catalogue and an interaction log."""
    return Sources(texts=DataFile.read(ASSETS / "demo_posts.csv", "bundled demo"),
                   columns={"text": "text", "user": "user_id", "item": "item_id", "label": "interest", "time": "time",
                            "domain": "domain"},
                   catalogue=DataFile.read(ASSETS / "demo_items.csv", "bundled demo items"),
                   interactions=DataFile.read(ASSETS / "demo_interactions.csv", "bundled demo interactions"))


def load_demo() -> Corpus:
    """The bundled demo's corpus."""
    return demo_sources().corpus()
