"""What a model reads of a text, cleaning for keywords, and tokenisers for English and Chinese.

The embedder always sees the original text; what is here only shapes keywords and the
word counts that LDA, the topic keywords and NPMI read.
"""
from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from core.language import CJK, to_simplified

_CJK_CHAR = re.compile(f"[{CJK}]")
# Kana: hiragana (Japanese grammar: particles, endings) and katakana (loanwords, names), full and half width.
_HIRAGANA, _KATAKANA = "\u3040-\u309f", "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_WORD = f"[^\\W\\d_{CJK}{_HIRAGANA}{_KATAKANA}]+"
_RUNS = re.compile(f"[{CJK}]+|[{_KATAKANA}]+|[{_HIRAGANA}]+|{_WORD}(?:['’]{_WORD})*")
_KATAKANA_RUN = re.compile(f"[{_KATAKANA}]+")
_HIRAGANA_RUN = re.compile(f"[{_HIRAGANA}]+")
_TAGS = re.compile(r"<[^>]{0,200}>")
_URLS = re.compile(r"https?://\S+|www\.\S+")
_MARKUP = re.compile(r"[*_`#>\[\]()|~]+")
# Chinese numbers and counts (两个, 第一次, 五天, 十八岁, 一个半, 半小时, 每月, 万元): as generic as English
# numbers, which tokenize drops too. A numeral or 每 must lead, so names such as 三星 or 百度 stay words.
_NUMERALS, _MEASURES = "零〇一二两三四五六七八九十百千万亿几半", "个次天年月日周号岁块元本只条张份遍倍名位件分秒回成小时半"
_COUNT = re.compile(f"(?:[第好近]?[{_NUMERALS}]+|每)[{_MEASURES}]*")


# What a language model reads of a long text. Encoded attachments (uuencode, base64, hex) and other runs of
# 100+ characters without a space carry no words, yet cost as much to embed as prose: on long forum posts a
# few 100,000-character attachments took most of the time. They are left out of what the model reads (the
# text itself is kept as it is everywhere else), and a text still longer than MAX_MODEL_CHARS is read from
# evenly spaced parts of it. Texts under BLOB_MIN_CHARS are read as they are.
BLOB_MIN_CHARS = 1_000
MAX_MODEL_CHARS = 200_000
_BLOBS = re.compile(r"^begin [0-7]{3,4} [^\n]*\n(?:[^\n]*\n)*?end[ \t]*$"  # a uuencoded attachment
                    r"|^M[\x20-\x60]{60}$"  # a uuencoded line outside begin/end
                    r"|^[A-Za-z0-9+/=]{40,}$"  # a base64 line
                    r"|\S{100,}", re.MULTILINE)  # any 100+ characters without a space (base64, hex, a long run)


def model_input(text: str) -> str:
    """The part of a text a language model reads (see MAX_MODEL_CHARS above); the text itself for most."""
    if len(text) < BLOB_MIN_CHARS:
        return text
    kept = _BLOBS.sub(" ", text)
    if len(kept) > MAX_MODEL_CHARS:
        parts, size = 64, MAX_MODEL_CHARS // 64
        step = (len(kept) - size) / (parts - 1)
        kept = " ".join(kept[round(i * step):round(i * step) + size] for i in range(parts))
    return kept


def clean_for_keywords(text: str) -> str:
    """Strip HTML tags and entities, URLs and Markdown marks, so they do not become keywords."""
    return _MARKUP.sub(" ", _URLS.sub(" ", html.unescape(_TAGS.sub(" ", text))))


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    """Words that describe no topic (time words, demonstratives, fillers; see generic_words.txt)."""
    lines = Path(__file__).with_name("generic_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


@lru_cache(maxsize=1)
def chinese_stop_words() -> frozenset[str]:
    return frozenset((Path(__file__).with_name("stopwords_zh.txt")).read_text(encoding="utf-8").split()) | generic_words()


@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    return ENGLISH_STOP_WORDS | generic_words()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def chinese_words(run: str) -> list[str]:
    """A run of Chinese characters as jieba words. Traditional characters are segmented as their simplified
    forms (jieba's dictionary is simplified) and the words are cut from the run as written."""
    simple = to_simplified(run)
    words = _jieba().lcut(simple)
    if simple == run or len(simple) != len(run):
        return words
    starts = np.cumsum([0] + [len(w) for w in words])
    return [run[a:b] for a, b in zip(starts[:-1], starts[1:])]


def tokenize(text: str) -> list[str]:
    """Keyword tokens: lowercase alphabetic words of 3+ letters without English stop words, and
    jieba-segmented Chinese words of 2+ characters without Chinese stop words, numbers or counts (in
    simplified or traditional characters, as written); generic words (generic_words.txt) are stop words in
    both. Japanese: its kanji runs are segmented as Chinese, its katakana runs of 2+ are words, its hiragana
    (grammar) is left out. Korean words are taken as spaced, particles attached."""
    tokens = []
    zh_stop = None
    for run in _RUNS.findall(clean_for_keywords(text)):
        if _CJK_CHAR.match(run):
            zh_stop = zh_stop or chinese_stop_words()
            tokens.extend(w for w in chinese_words(run) if len(w) > 1 and _chinese_keyword(to_simplified(w), zh_stop))
        elif _KATAKANA_RUN.fullmatch(run):
            if len(run.strip("ー・ｰ")) > 1:  # not a lone sound or dots
                tokens.append(run)
        elif not _HIRAGANA_RUN.fullmatch(run):
            word = run.lower()
            if len(word) >= 3 and word not in english_stop_words() and word.isalpha():
                tokens.append(word)
    return tokens


def _chinese_keyword(simplified: str, stop: frozenset[str]) -> bool:
    return simplified not in stop and not _COUNT.fullmatch(simplified)


@dataclass(frozen=True)
class TokenizedCorpus:
    """Every text's keyword tokens as ids into the sorted `vocab`, flat: text i is
    ids[offsets[i]:offsets[i + 1]]."""

    ids: np.ndarray
    offsets: np.ndarray
    vocab: np.ndarray


def tokenize_corpus(texts) -> TokenizedCorpus:
    """`tokenize` applied to every text, remembered for the last few corpora: keywords for a new k,
    coherence and the k sweep reuse it instead of tokenising the corpus again."""
    return _tokenize_corpus(tuple(texts))


@lru_cache(maxsize=4)
def _tokenize_corpus(texts: tuple[str, ...]) -> TokenizedCorpus:
    index: dict[str, int] = {}
    ids: list[int] = []
    offsets = [0]
    for text in texts:
        ids.extend(index.setdefault(w, len(index)) for w in tokenize(text))
        offsets.append(len(ids))
    vocab = np.array(list(index), dtype=object)
    order = np.argsort(vocab, kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    corpus = TokenizedCorpus(rank[np.array(ids, dtype=np.int64)], np.array(offsets, dtype=np.int64), vocab[order])
    for array in (corpus.ids, corpus.offsets, corpus.vocab):
        array.setflags(write=False)  # shared by every caller
    return corpus


def count_words(texts) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Document-word counts over keyword tokens, and the (sorted) vocabulary; remembered for the last
    few corpora, so a new k only regroups them. Treat the matrix as read-only.

    Words in fewer than 2 texts are dropped on corpora of 50+ texts: they cannot characterise a topic.
    """
    return _count_words(tuple(texts))


@lru_cache(maxsize=4)
def _count_words(texts: tuple[str, ...]) -> tuple[sparse.csr_matrix, np.ndarray]:
    tokens = tokenize_corpus(texts)
    n = len(texts)
    rows = np.repeat(np.arange(n), np.diff(tokens.offsets))
    counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, tokens.ids)), shape=(n, len(tokens.vocab)))
    keep = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]) >= (2 if n >= 50 else 1))
    return counts[:, keep], tokens.vocab[keep]
