from core.text import clean_for_keywords, detect_language, tokenize


def test_language_detection():
    assert detect_language(["The team won the match"]) == "en"
    assert detect_language(["今天的比赛非常精彩，球队赢了"]) == "zh"
    assert detect_language(["The team won the match", "今天的比赛非常精彩，球队赢了"]) == "mixed"


def test_english_tokens_drop_stop_words_short_words_and_numbers():
    assert tokenize("The 3 cats and a dog ate 10 apples!") == ["cats", "dog", "ate", "apples"]


def test_chinese_is_segmented_into_words_not_characters_or_sentences():
    tokens = tokenize("我每天早上跑步五公里，坚持锻炼身体更健康。")
    assert "跑步" in tokens and "健康" in tokens
    assert all(2 <= len(t) <= 4 for t in tokens)
    assert "我" not in tokens


def test_markup_is_removed_for_keywords_only():
    assert tokenize("<script>alert(1)</script> **bold** https://example.com/page recipes") == ["alert", "bold", "recipes"]
    assert "<b>" not in clean_for_keywords("<b>bread</b>")
