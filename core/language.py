"""Which language a corpus is in, from its characters and words: what picks the model (core.embedders.
choose_model) and how keywords are segmented (core.text).

Codes: 'en' English, 'zh' Chinese (simplified), 'zh-Hant' Chinese in traditional characters, 'ja' Japanese,
'ko' Korean, 'mixed' Chinese and English together, 'several' English or Chinese texts beside others in a
script the English model cannot read (hangul, kana, Cyrillic...) or in French, Spanish..., 'other' another
language (another Latin-script language such as French, or another script such as Cyrillic or Arabic),
'unknown' no letters.
"""
from __future__ import annotations

import re
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{CJK}]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
# East Asian characters as half-open ranges (kana to the CJK ideographs, hangul, compatibility ideographs),
# for a test on a sorted vocabulary by binary search (core.keywords).
EAST_ASIAN = (("\u3040", "\ua000"), ("\uac00", "\ud7b0"), ("\uf900", "\ufb00"))
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_LATIN_CHAR = re.compile(r"[A-Za-z\u00c0-\u024f]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff"
                           f"\u3130-\u318f{CJK}]")
NAMES = {"en": "English", "zh": "Chinese", "zh-Hant": "Chinese (traditional characters)", "ja": "Japanese",
         "ko": "Korean", "mixed": "Chinese and English", "several": "several languages",
         "other": "another language", "unknown": "no language"}
# Function words of other Latin-script languages (French, Spanish, Portuguese, Italian, German, Dutch) that
# English does not use: a corpus with more of these than English function words is not English.
FOREIGN_WORDS = frozenset("""le la les des du et est une sont avec pour dans pas qui sur au aux ces cette
el los las del y que por con para una es lo como pero muy o os não com uma são mais il di che non per sono della
der die das und ist nicht mit von zu den dem ein eine auf sich auch het een van ik je niet dat zijn wat""".split())
# What keywords are in the languages that no word segmenter here reads (core.text.tokenize); the model
# choice says so.
KEYWORD_NOTES = {"ja": "Japanese keywords are its kanji and katakana words; hiragana (grammar) is left out",
                 "ko": "Korean keywords are words as spaced, particles attached"}


def detect_language(texts, sample: int = 5000) -> str:
    """The corpus' language code (see the module docstring), from its first `sample` texts.

    Chinese characters count one each, other letters a quarter each (about one English word per
    hanzi); English is told from other Latin-script languages by their function words (FOREIGN_WORDS), over
    the corpus and text by text: a text with 3+ of theirs and over twice as many as English ones is in another
    language (no BBC News article or MovieLens tag was so, 2 of 9,742 film titles), and 5 % of such texts
    make a corpus of several languages unless the whole corpus is in them."""
    counts = dict.fromkeys(("cjk", "kana", "hangul", "latin", "other", "english", "foreign", "traditional",
                            "foreign texts"), 0)
    texts = list(texts[:sample] if hasattr(texts, "__getitem__") else texts)[:sample]
    for text in texts:
        hanzi = _CJK.findall(text)
        counts["cjk"] += len(hanzi)
        counts["traditional"] += sum(a != b for a, b in zip(hanzi, to_simplified("".join(hanzi))))
        counts["kana"] += len(_KANA.findall(text))
        counts["hangul"] += len(_HANGUL.findall(text))
        words = _LATIN_WORD.findall(text)
        counts["latin"] += sum(map(len, words))
        lowered = [w.lower() for w in words]
        english, foreign = sum(w in ENGLISH_STOP_WORDS for w in lowered), sum(w in FOREIGN_WORDS for w in lowered)
        counts["english"] += english
        counts["foreign"] += foreign
        counts["foreign texts"] += foreign >= 3 and foreign > 2 * english
        counts["other"] += len(_OTHER_LETTER.findall(text))
    east = counts["cjk"] + counts["kana"] + counts["hangul"]
    letters = east + counts["latin"] / 4 + counts["other"] / 4
    if letters == 0:
        return "unknown"
    if counts["kana"] > 0.1 * east and east > 0.5 * letters:
        return "ja"
    if counts["hangul"] > 0.5 * east and east > 0.5 * letters:
        return "ko"
    if counts["other"] / 4 > 0.5 * letters:
        return "other"
    share = counts["cjk"] / letters
    if share > 0.8:
        return "zh-Hant" if counts["traditional"] > 0.05 * counts["cjk"] else "zh"
    mostly_foreign = counts["foreign"] > counts["english"]
    if counts["kana"] + counts["hangul"] + counts["other"] / 4 >= 0.05 * letters:
        return "several"  # e.g. English with Korean: not English, nor the Chinese with English measured
    if counts["foreign texts"] >= 0.05 * len(texts):  # French, Spanish... texts beside English or Chinese ones
        return "other" if mostly_foreign and share < 0.05 else "several"
    if share >= 0.05:
        return "mixed"
    return "other" if mostly_foreign else "en"


def text_language(text: str) -> str:
    """The script one text is written in, for telling languages apart within a corpus: 'zh' (Chinese
    characters), 'ja' (with kana), 'ko' (hangul), 'latin', 'other' (another script) or '' (no letters)."""
    east = len(_CJK.findall(text))
    kana, hangul = len(_KANA.findall(text)), len(_HANGUL.findall(text))
    latin, other = len(_LATIN_CHAR.findall(text)) / 4, len(_OTHER_LETTER.findall(text)) / 4
    counts = {"ja": kana + (east if kana else 0), "ko": hangul, "zh": 0 if kana else east, "latin": latin,
              "other": other}
    best = max(counts, key=counts.get)
    return best if counts[best] else ""


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters as simplified ones (OpenCC t2s), for segmentation and detection;
    the result has the same length when no phrase changes length (then positions carry over)."""
    return _converter().convert(text) if text else text
