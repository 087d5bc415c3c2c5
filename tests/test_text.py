from core.language import detect_language
from core.text import clean_for_keywords, tokenize


def test_language_detection():
    assert detect_language(["The team won the match"]) == "en"
    assert detect_language(["今天的比赛非常精彩，球队赢了"]) == "zh"
    assert detect_language(["The team won the match", "今天的比赛非常精彩，球队赢了"]) == "mixed"
    assert detect_language(["臺灣的經濟發展與兩岸關係，電腦軟體開發者們討論網路資訊安全。"]) == "zh-Hant"
    assert detect_language(["今日は天気がいいので、公園で散歩しました。"]) == "ja"
    assert detect_language(["오늘은 날씨가 좋아서 공원에서 산책했습니다."]) == "ko"
    assert detect_language(["Le match de football était très intéressant et les joueurs ont bien joué."]) == "other"
    assert detect_language(["Футбольный матч был очень интересным."]) == "other"
    assert detect_language(["Great movie, loved it!", "Toy Story (1995). Genres: Adventure, Animation"]) == "en"


def test_english_beside_a_script_the_english_model_cannot_read_is_several_languages():
    english = ["The team won the match at home and the fans sang all night long."] * 70
    for other in ("오늘은 날씨가 좋아서 공원에서 산책했습니다.", "今日は天気がいいので、公園で散歩しました。",
                  "Футбольный матч был очень интересным."):
        assert detect_language(english + [other] * 30) == "several"
        assert detect_language(english + [other]) == "en"  # one text in 71 is not a second language
    assert detect_language(english + ["今天的比赛非常精彩，球队赢了"] * 30) == "mixed"
    french = ["Le match de football était très intéressant et les joueurs ont bien joué."]
    assert detect_language(english + french * 30) == "several" and detect_language(english + french) == "en"
    assert detect_language(english[:40] + french * 60) == "several" and detect_language(french * 60) == "other"


def test_traditional_chinese_is_segmented_into_words_as_written():
    tokens = tokenize("臺灣的經濟發展與兩岸關係，足球隊贏得了聯賽冠軍。")
    assert {"經濟", "發展", "兩岸關係", "足球隊", "聯賽", "冠軍"} <= set(tokens)  # traditional, whole words


def test_english_tokens_drop_stop_words_short_words_and_numbers():
    assert tokenize("The 3 cats and a dog ate 10 apples!") == ["cats", "dog", "ate", "apples"]


def test_chinese_is_segmented_into_words_not_characters_or_sentences():
    tokens = tokenize("我每天早上跑步五公里，坚持锻炼身体更健康。")
    assert "跑步" in tokens and "健康" in tokens
    assert all(2 <= len(t) <= 4 for t in tokens)
    assert "我" not in tokens


def test_chinese_numbers_and_counts_are_not_keywords_but_names_with_numerals_are():
    tokens = tokenize("第一次去云南玩了五天，每月存两个月的工资，半小时就到了三星和百度的一线城市")
    assert not {"第一次", "五天", "每月", "两个", "半小时"} & set(tokens)
    assert {"云南", "工资", "三星", "百度", "一线", "城市"} <= set(tokens)


def test_markup_is_removed_for_keywords_only():
    assert tokenize("<script>alert(1)</script> **bold** https://example.com/page recipes") == ["alert", "bold", "recipes"]
    assert "<b>" not in clean_for_keywords("<b>bread</b>")


def test_encoded_attachments_are_left_out_of_what_the_model_reads():
    import binascii

    from core.text import MAX_MODEL_CHARS, model_input

    rng = __import__("random").Random(0)
    uu = "".join(binascii.b2a_uu(bytes(rng.randrange(256) for _ in range(45))).decode() for _ in range(2000))
    post = "Here is the spreadsheet from the meeting.\n\nbegin 644 budget.xls\n" + uu + "`\nend\n\n-- \nAnna\n"
    assert len(post) > 100_000 and model_input(post).split() == "Here is the spreadsheet from the meeting. -- Anna".split()
    b64 = "Photo attached:\n" + ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w\n" * 50)
    assert model_input(b64).split() == ["Photo", "attached:"]
    prose = "A long letter about gardening, tomatoes and the weather this spring. " * 40
    assert model_input(prose) == prose  # ordinary text is read as it is
    assert model_input("x" * 500) == "x" * 500  # short texts are never touched
    huge = "one two three four five six seven. " * 40_000  # 1.4 MB of prose
    assert len(model_input(huge)) <= MAX_MODEL_CHARS + 64


def test_japanese_keywords_are_kanji_and_katakana_words_without_the_grammar():
    assert tokenize("週末は公園で写真を撮るのが好きです。") == ["公園", "写真"]
    assert tokenize("iPhoneで撮ったカメラの写真・・・") == ["iphone", "カメラ", "写真"]
