"""Choosing the operation by scoring, not by a branch order.

Every grammar feature of the question adds named weights to the operations it supports
(``OPERATION_WEIGHTS``); a named target argues against whole-document operations
(``NAMED_AGAINST``); the labelled-example vote (``qa.understand.intents``) adds its share. The
highest total wins. Each weight says why it is there.
"""
from __future__ import annotations

from qa.query import Operation
from qa.understand import lexicon as lx

# feature -> {operation: weight}. Weights are on one scale: a named target (3) outweighs a
# generic list word (2); a superlative or "each" (3+) outweighs everything but a name.
OPERATION_WEIGHTS: dict[str, dict[Operation, float]] = {
    "base": {Operation.SEARCH: 1.0},  # with no evidence at all, look for the programme
    "named": {Operation.LOOKUP: 3.0, Operation.SEARCH: 0.5, Operation.COMPARE: 0.5},
    "refers": {Operation.LOOKUP: 2.5},
    "field": {Operation.LOOKUP: 1.5},
    "project_filter": {Operation.LIST: 2.0, Operation.COUNT: 1.0, Operation.GROUP: 0.5},
    "indicator_filter": {Operation.LIST: 3.0, Operation.COUNT: 1.0},  # a status or plan-word condition is a structural ask
    "plural": {Operation.LIST: 2.0, Operation.COUNT: 0.5},
    "count_projects": {Operation.COUNT: 3.0},
    "each": {Operation.GROUP: 4.0},  # 「課ごとに数えて」: grouping subsumes counting
    "superlative": {Operation.EXTREME: 6.0},  # 「いちばん…どれ」 asks for one of a set: beats list words
    "comparative": {Operation.COMPARE: 4.5},  # 「どっち」 decides over a named lookup
    "trend": {Operation.TREND: 5.0},  # 「…の推移は？」 asks across years even when it names an indicator
    "summary": {Operation.SUMMARY: 3.0},
    "more": {Operation.MORE: 5.0},
    "need": {Operation.SEARCH: 1.5},
    "others": {Operation.LIST: 1.0, Operation.SEARCH: 1.0},  # 「ほかの…」: more of a set, not one target
    "subset": {Operation.LIST: 2.0},  # 「その中で」「そのうち」: a narrower list
}
# a named target argues against whole-document operations
NAMED_AGAINST = {Operation.LIST: -2.5, Operation.COUNT: -1.5, Operation.SUMMARY: -3.0, Operation.GROUP: -1.0}
EXAMPLE_VOTE_WEIGHT = 1.5  # the labelled-example vote counts like a strong feature
# features that ask something of a whole set: an elliptic question with one of them is not a fragment
WHOLE_SET_FEATURES = frozenset({"each", "plural", "count_projects", "superlative", "comparative", "summary", "trend", "more"})


def group_by(text: str, goals: tuple[int, ...], departments: tuple[str, ...]) -> str | None:
    """The grouping key of 「課ごと」「目標別」「いちばん多い課」 ("department" or "goal")."""
    m = lx.PER_GROUP.search(text)
    if m:
        return "goal" if (m.group(1) or "").startswith(("目標", "施策")) or (goals and not departments) else "department"
    if lx.GROUP_RANKED(text) or (len(departments) >= 2 or len(goals) >= 2) and lx.GROUPS_COMPARED(text):
        return "goal" if any(w in text for w in ("目標", "施策")) and not departments else "department"
    return None


def score(features: dict[str, float], vote: dict[Operation, float] | None) -> dict[Operation, float]:
    scores = {op: 0.0 for op in Operation}
    for feat, strength in features.items():
        for op, w in OPERATION_WEIGHTS.get(feat, {}).items():
            scores[op] += w * strength
    if "named" in features:
        for op, w in NAMED_AGAINST.items():
            scores[op] += w
    for op, share in (vote or {}).items():
        scores[op] += EXAMPLE_VOTE_WEIGHT * share
    return scores


def best(scores: dict[Operation, float]) -> Operation:
    order = list(Operation)
    return max(scores, key=lambda op: (scores[op], -order.index(op)))
