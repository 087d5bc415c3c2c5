"""Shared fixtures: a private embedding cache per test session (removed when the session ends: it holds
adapted models, about 0.5 GB), the real bundled model loaded once, and small corpora written for the tests."""
import atexit
import os
import shutil
import tempfile

import pytest

if "TOPICDASH_CACHE" not in os.environ:
    os.environ["TOPICDASH_CACHE"] = tempfile.mkdtemp(prefix="topicdash-test-cache-")
    atexit.register(shutil.rmtree, os.environ["TOPICDASH_CACHE"], ignore_errors=True)
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ENGLISH = {
    "cooking": ["I baked sourdough bread with a crisp crust and an open crumb this weekend.",
                "The pasta sauce needs garlic, tomatoes and fresh basil simmered slowly.",
                "Roasting vegetables in the oven brings out their sweetness before dinner.",
                "My grandmother's soup recipe uses chicken stock, carrots and noodles.",
                "Knead the dough for ten minutes, then let the bread rise overnight.",
                "Searing the steak in a hot pan gives the meat a deep brown crust."],
    "football": ["The striker scored twice and the team won the league match at home.",
                 "Our goalkeeper saved a penalty in the final minute of the cup game.",
                 "The coach changed the midfield and the team pressed higher after half time.",
                 "Fans sang all match as the club won the derby with a late goal.",
                 "The defender was sent off and the team held on with ten players.",
                 "The transfer window closed and the club signed a young winger."],
    "finance": ["I moved my savings into an index fund with low fees for retirement.",
                "Paying off the credit card debt first saved me a lot of interest.",
                "A monthly budget helps me track spending on rent, food and transport.",
                "The bank raised the interest rate on my savings account this month.",
                "Diversifying investments across stocks and bonds reduces risk.",
                "I set up an emergency fund worth three months of expenses."],
}
CHINESE = ["今天用新买的镜头拍了夕阳，光线特别柔和。", "周末去公园拍照，风景非常漂亮，相机的色彩很好。",
           "我每天早上跑步五公里，坚持锻炼身体更健康。", "健身房的力量训练让我的肌肉更结实了。",
           "这道红烧肉的做法很简单，用冰糖和酱油慢慢炖。", "学做蛋糕需要面粉、鸡蛋和牛奶，烤箱温度要合适。"]


@pytest.fixture(scope="session")
def english_texts():
    return [t for texts in ENGLISH.values() for t in texts]


@pytest.fixture(scope="session")
def english_labels():
    return [label for label, texts in ENGLISH.items() for _ in texts]


@pytest.fixture(scope="session")
def embedder():
    from core.embedders import load_embedder

    return load_embedder("default")
