"""UI-free core of the topic dashboard: read texts, embed, cluster into topics, describe them, build
user interests, recommend, and evaluate. Nothing here imports Streamlit."""
from core.errors import CoreError

__all__ = ["CoreError"]
