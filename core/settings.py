"""Every choice that changes a result, in one record; recorded in run.json so that a run can be repeated."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from core import cluster
from core.embedders.transformer import DEFAULT_WINDOWS


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The settings of a run. `model` is a name from core.embedders.MODELS, a folder or a Hugging Face id,
    or 'auto' (chosen by the corpus' language); `windows` how many windows of a long text the model reads
    (core.embedders.transformer); `method` a name from core.cluster.METHODS;
    `align_languages` takes each language's mean out of the vectors of a corpus in several (core.align);
    `topic_edits`, `topic_names` and `stop_words` are an analyst's merges and splits, names and words kept
    out of keywords (core.curation), tuples so that settings stay hashable."""

    model: str = "auto"
    windows: int = DEFAULT_WINDOWS
    precision: str = "auto"
    align_languages: bool = True
    method: str = "kmeans"
    k: int = 8
    min_cluster_size: int | None = None
    reassign_outliers: bool = True
    cluster_dims: int = 5
    n_neighbors: int = 15
    view_dims: int = 2
    topic_edits: tuple = ()
    topic_names: tuple = ()
    stop_words: tuple = ()
    factors: int = 4
    top_n: int = 10
    popularity_weight: float = 0.1
    min_rating: float = 4.0
    seed: int = 42

    @property
    def space(self) -> str:
        """The space the method clusters in (core.reduce.SPACES)."""
        return cluster.method(self.method).space

    @property
    def topic_count(self) -> int | None:
        """k when the method takes it, None when it finds the number of topics itself."""
        return self.k if cluster.method(self.method).takes_k else None

    @property
    def cluster_settings(self) -> cluster.ClusterSettings:
        return cluster.ClusterSettings(method=self.method, k=self.k, seed=self.seed,
                                       min_cluster_size=self.min_cluster_size,
                                       reassign_outliers=self.reassign_outliers)

    def record(self) -> dict:
        return asdict(self)
