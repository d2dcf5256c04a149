"""Grouping quality on the labelled set (300 concerns, 30 kinds of town problems, 10 wordings each) and on a
held-out set of 120 other wordings of the same kinds that the stop words, synonyms and threshold never saw."""

from xietong.deliberation import actions, grouping
from xietong.deliberation.management.commands.grouping_quality import HELD_OUT, load_labelled, measure

from .conftest import submit


def test_the_labelled_set_is_large_and_varied_enough():
    labels, texts = load_labelled()
    assert len(texts) >= 300 and len(set(labels)) >= 30
    assert len(set(texts)) == len(texts)


def test_precision_and_recall_at_the_threshold_in_use():
    result = measure()
    print(f"\ngrouping at {grouping.THRESHOLD}: precision {result['precision']:.3f}, recall {result['recall']:.3f}")
    # Floors a little under what was measured (0.691 / 0.573), so a change that makes grouping worse fails.
    assert result["precision"] >= 0.66
    assert result["recall"] >= 0.54


def test_precision_and_recall_on_wordings_the_tuning_never_saw():
    labels, texts = load_labelled(HELD_OUT)
    assert len(texts) >= 120 and len(set(labels)) >= 30
    assert not set(texts) & set(load_labelled()[1])
    result = measure(path=HELD_OUT)
    print(f"\nheld out, at {grouping.THRESHOLD}: precision {result['precision']:.3f}, recall {result['recall']:.3f}")
    # Measured 0.478 / 0.361: lower than on the set the synonyms were written from, as expected of new wordings.
    assert result["precision"] >= 0.45
    assert result["recall"] >= 0.33


def test_synonyms_bring_different_wordings_together():
    a = grouping.vector("主街门头招牌破旧")
    b = grouping.vector("沿街店铺牌匾老化褪色")
    c = grouping.vector("夜里路灯不亮")
    assert grouping.cosine(a, b) > grouping.THRESHOLD > grouping.cosine(a, c)


def test_suggestions_group_similar_concerns_and_match_existing_topics(hall, categories, town_staff):
    signs = [
        submit(hall, categories["townscape"], text=t)
        for t in ["主街门头招牌破旧", "商店门头牌匾褪色破损", "门头招牌大小不一很乱"]
    ]
    lamps = [submit(hall, categories["roads"], text=t) for t in ["村口路灯坏了", "晚上路灯不亮很黑"]]
    proposals = actions.suggest_groups(hall)
    assert sorted(sorted(c.pk for c in group) for _topic, group in proposals) == sorted(
        [sorted(c.pk for c in signs), sorted(c.pk for c in lamps)]
    )
    topic = actions.do_create_topic(actor=town_staff, hall=hall, title="门头改造", concerns=signs)
    match, score = actions.match_topic(hall, "理发店的招牌快掉下来了")
    assert match == topic and score >= grouping.THRESHOLD
    assert actions.match_topic(hall, "广场舞音响太吵")[0] is None
