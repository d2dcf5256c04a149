"""Grouping concerns written in Chinese: jieba word segmentation, TF-IDF term vectors, cosine similarity.

IDF comes from the table jieba ships (estimated on a large general corpus), not from the hall's own
concerns, so a concern's vector does not change as others arrive and a topic's signature can be stored.
Grouping is single pass: each concern joins the most similar topic if the cosine of its vector and the
topic's centroid reaches THRESHOLD, or starts a new topic. Candidates are found through an inverted index
of the centroids' terms, so a concern is compared only with topics sharing a word with it.
"""

import logging
import math
import re
from collections import defaultdict

import jieba
import jieba.analyse

jieba.setLogLevel(logging.WARNING)

# Chosen on the labelled set in tests/concerns_labelled.tsv (see test_grouping.py and
# `python manage.py grouping_quality`): pairwise precision 0.69, recall 0.57 there; on the held-out wordings
# (tests/concerns_heldout.tsv) 0.48 and 0.36. Lower values merge more unrelated concerns, higher ones split
# one problem into many topics.
THRESHOLD = 0.20
# Words every complaint uses; they say nothing about which problem it is.
_STOPWORD_TEXT = """
的 了 是 在 我 我们 你们 他们 有 和 也 就 都 而 及 与 着 或 一个 没有 这个
那个 这里 那里 这样 还 又 很 太 非常 特别 希望 请 请求 要求 建议 反映 问题 情况
尽快 解决 处理 相关 部门 领导 政府 镇 镇上 村 村里 小区 社区 一下 一直 已经 现在
每天 经常 总是 严重 影响 居民 群众 大家 老百姓 能 能否 能不能 可以 可否 希望能 麻烦
谢谢 感谢 什么 怎么 为什么 多次 好几次 年 月 日 天 时候 最近 近来 近期 附近 一带
周边 门口 这边 那边 没人管 没 人 不 给 让 把 被 对 到 从 上 下 里 去 来 说 看
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Town-service synonyms (同义词表), mapped to one word so different wordings of one problem meet. Written with
# the labelled set in view, so the precision/recall measured on that set is optimistic for new wordings.
SYNONYMS = {
    "门头": "招牌 牌匾 店招 店牌 门脸 广告牌 门面",
    "路灯": "照明 灯泡 路灯灯泡 灯不亮",
    "垃圾": "垃圾桶 垃圾箱 垃圾站 垃圾堆 生活垃圾 中转站",
    "坑": "坑坑洼洼 坑洼 坑洞 路面 塌陷 修路",
    "排水": "下水道 下水 积水 排水沟 排水渠 雨水井 污水井 内涝 疏通",
    "广场舞": "跳舞 音响 音乐 喇叭",
    "狗": "流浪狗 野狗 大狗 犬只 养狗 遛狗 散养犬",
    "停车": "乱停 停放 停满 停车位 停车场 乱停车",
    "自来水": "停水 断水 供水 用水 水压 水管 水质",
    "暖气": "供暖 供热 取暖 暖气片 集中供暖",
    "摊贩": "摊 摆摊 地摊 菜摊 小摊 商贩 占道经营 水果摊",
    "公厕": "厕所 卫生间 旱厕 公共厕所",
    "公交": "公交车 公交站 班次 末班车 候车亭 线路",
    "学校": "小学 中学 幼儿园 校门口 上下学 放学 上学 学生",
    "老人": "养老 老年 独居 空巢 孤寡 高龄 养老院",
    "卫生院": "卫生室 医生 看病 医院 村医 家庭医生",
    "信号": "网络 宽带 网速 光纤 基站 网课",
    "河道": "河 河里 河水 河边 河滩 河岸 排污",
    "煤": "运煤车 煤灰 煤尘 煤场 拉煤 洗煤厂 煤渣 储煤场 焦化厂",
    "施工": "工地 打桩 搅拌机 渣土车 开工 夜间施工",
    "健身": "健身器材 器材 篮球架 篮球场 乒乓球台 绿化 绿地",
    "停电": "来电 断电 电压 跳闸 供电所 变压器 电网",
    "燃气": "天然气 煤气 气价 停气 燃气灶 燃气表",
    "游乐": "游乐场 滑梯 秋千 蹦床 乐园 儿童 孩子",
    "油烟": "烧烤 烤串 烧烤店 排烟 油烟味",
    "违建": "违章建筑 搭建 违规 私搭乱建 违建 违法建筑 加盖",
    "桥": "危桥 老桥 便桥 桥面 桥墩 过桥 漫水桥",
    "充电": "电动车 飞线 充电桩 电瓶 电动自行车",
    "小广告": "广告 传单 牛皮癣 涂画",
    "线缆": "电线 网线 光缆 电缆 架空线 飞线",
}
_CANONICAL = {variant: word for word, variants in SYNONYMS.items() for variant in variants.split()}
_PUNCTUATION = re.compile(r"^[\W_]+$")
_IDF = None
_MEDIAN_IDF = None


def _idf():
    global _IDF, _MEDIAN_IDF
    if _IDF is None:
        for word in set(_CANONICAL) | set(SYNONYMS):
            jieba.add_word(word)
        table = jieba.analyse.default_tfidf
        _IDF, _MEDIAN_IDF = table.idf_freq, table.median_idf
    return _IDF, _MEDIAN_IDF


def words(text):
    """The content words of a text, in order (punctuation, digits and stop words dropped, synonyms merged)."""
    _idf()
    return [
        _CANONICAL.get(w, w)
        for w in jieba.lcut(text)
        if w.strip() and w not in STOPWORDS and not _PUNCTUATION.match(w) and not w.isdigit()
    ]


def vector(text):
    """The unit-length TF-IDF vector {word: weight} of a text."""
    idf, median = _idf()
    counts = defaultdict(int)
    for word in words(text):
        counts[word] += 1
    weights = {word: count * idf.get(word, median) for word, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {word: w / norm for word, w in weights.items()}


def cosine(a, b):
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(word, 0.0) for word, w in a.items())


class Grouper:
    """Single-pass grouping with an inverted index; add() returns the index of the group a vector joined."""

    def __init__(self, threshold=THRESHOLD):
        self.threshold = threshold
        self.sums = []  # per group: {word: summed weight}
        self.norms = []
        self.sizes = []
        self.index = defaultdict(set)  # word -> groups whose centroid has it

    def add_signature(self, signature, size=1):
        """Seed a group from a stored signature (an existing topic)."""
        group = len(self.sums)
        self.sums.append(dict(signature))
        self.norms.append(math.sqrt(sum(w * w for w in signature.values())) or 1.0)
        self.sizes.append(size)
        for word in signature:
            self.index[word].add(group)
        return group

    def best(self, vec):
        """(group, similarity) of the most similar group, or (None, 0.0)."""
        scores = defaultdict(float)
        index = self.index
        for word, weight in vec.items():
            for group in index.get(word, ()):
                scores[group] += weight * self.sums[group][word]
        best, best_score = None, 0.0
        for group, score in scores.items():
            score /= self.norms[group]
            if score > best_score:
                best, best_score = group, score
        return best, best_score

    def add(self, vec):
        group, score = self.best(vec)
        if group is None or score < self.threshold:
            return self.add_signature(vec)
        sums = self.sums[group]
        # The norm is kept up to date word by word: recomputing it over a large centroid on every add
        # would make grouping quadratic.
        square = self.norms[group] ** 2
        for word, weight in vec.items():
            old = sums.get(word)
            if old is None:
                self.index[word].add(group)
                old = 0.0
            new = old + weight
            sums[word] = new
            square += new * new - old * old
        self.norms[group] = math.sqrt(square)
        self.sizes[group] += 1
        return group

    def signature(self, group, top=30):
        """The group's centroid, unit length, cut to its strongest words (what a Topic stores)."""
        items = sorted(self.sums[group].items(), key=lambda kv: -kv[1])[:top]
        norm = math.sqrt(sum(w * w for _, w in items)) or 1.0
        return {word: round(w / norm, 5) for word, w in items}


def group_texts(texts, threshold=THRESHOLD):
    """Group indices for a list of texts (the labelled-set evaluation and the benchmark use this)."""
    grouper = Grouper(threshold)
    return [grouper.add(vector(text)) for text in texts]


def pair_scores(labels, groups):
    """Pairwise precision and recall: a pair is predicted together when it shares a group."""
    from collections import Counter

    def together(keys):
        return sum(n * (n - 1) // 2 for n in Counter(keys).values())

    true_pairs = together(labels)
    predicted_pairs = together(groups)
    both = together(list(zip(labels, groups, strict=True)))
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return precision, recall
