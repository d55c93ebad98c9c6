"""Retrieval quality on a labelled set of demands: top-1, top-3 and nDCG@5 for vector-only,
full-text-only, hybrid (RRF) and hybrid with the parse's filters.

The labelled set (``bench/search_labels.json``, 91 demands in Chinese and English: 66 in the
register's own words, 25 paraphrases) asks for a
volunteer with a skill, a venue with equipment, or an organization with an expertise; the
accepted answers are every node holding that skill, equipment or expertise in the graph
(read at run time, so the set works on any generated district). Needs the demo district with
embeddings (`make demo`).

    .venv/bin/python bench/search_quality.py [--write-labels]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from pathlib import Path

from harness import report

from graph.backend import connect
from graph.settings import load_settings
from models.demand import parse_demand
from models.embeddings import get_embedder
from models.gazetteer import Gazetteer
from models.retrieve import fulltext_search, nearest, rrf

LABELS = Path(__file__).with_name("search_labels.json")
K = 5
ACCEPTED = {  # label → the property whose list holds the asked-for code
    "Volunteer": "skills", "Venue": "equipment", "Organization": "expertise"}


PARAPHRASES = [
    ("someone who knows CPR for our sports day", "Volunteer", "first_aid"),
    ("a helper who can resuscitate people in an emergency", "Volunteer", "first_aid"),
    ("懂心肺复苏的人", "Volunteer", "first_aid"),
    ("someone to give the old folks a haircut", "Volunteer", "haircut"),
    ("帮老人剪头发", "Volunteer", "haircut"),
    ("a person to fix a broken washing machine", "Volunteer", "appliance_repair"),
    ("修冰箱洗衣机", "Volunteer", "appliance_repair"),
    ("teach grandparents to use WeChat on their phones", "Volunteer", "it_help"),
    ("教老人用手机", "Volunteer", "it_help"),
    ("someone to chat with lonely elderly people", "Volunteer", "elderly_companion"),
    ("陪独居老人聊天", "Volunteer", "elderly_companion"),
    ("a lawyer for free consultations", "Volunteer", "legal_advice"),
    ("someone to interpret for deaf residents", "Volunteer", "sign_language"),
    ("a person who can take photos of the event", "Volunteer", "photography"),
    ("a singer or dancer for the new year party", "Volunteer", "performance"),
    ("someone to explain recycling rules", "Volunteer", "waste_sorting"),
    ("a therapist to talk to stressed carers", "Volunteer", "counselling"),
    ("a hall where we can cook together", "Venue", "kitchen"),
    ("a room wheelchair users can get into", "Venue", "step_free_access"),
    ("somewhere to play ping pong", "Venue", "table_tennis"),
    ("a place with a keyboard instrument for choir practice", "Venue", "piano"),
    ("a room with loudspeakers and a microphone", "Venue", "sound_system"),
    ("a cool room for a summer meeting", "Venue", "air_conditioning"),
    ("能做饭的场地", "Venue", "kitchen"),
    ("轮椅能进的活动室", "Venue", "step_free_access"),
]


def write_labels() -> None:
    """Write the labelled set from the parser's vocabulary (two phrasings per code)."""
    from models import demand_vocab as vocab

    demands = []
    for code, names in vocab.SKILLS.items():
        zh, en = names[0], next(n for n in names if n.isascii())
        demands += [{"text": f"找一位会{zh}的志愿者", "label": "Volunteer", "code": code},
                    {"text": f"looking for a volunteer who can help with {en}",
                     "label": "Volunteer", "code": code}]
    for code, names in vocab.EQUIPMENT.items():
        zh, en = names[0], next(n for n in names if n.isascii())
        demands += [{"text": f"需要一间有{zh}的活动室", "label": "Venue", "code": code},
                    {"text": f"a room with {en}", "label": "Venue", "code": code}]
    for zh, en in (("电脑维修", "computer repair"), ("义诊", "free medical consultation"),
                   ("财务咨询", "financial advice"), ("法律咨询", "legal advice"),
                   ("家电维修", "appliance repair"), ("文艺培训", "arts training"),
                   ("防诈骗宣传", "anti-fraud education"), ("心理疏导", "counselling")):
        demands += [{"text": f"哪家共建单位能提供{zh}", "label": "Organization", "code": zh},
                    {"text": f"an organization that offers {en}", "label": "Organization",
                     "code": zh}]
    # Paraphrases: what people type is rarely the register's own word.
    for text, label, code in PARAPHRASES:
        demands.append({"text": text, "label": label, "code": code})
    LABELS.write_text(json.dumps(demands, ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")


def ndcg(found: list[str], accepted: set[str], k: int = K) -> float:
    """Binary-relevance nDCG@k."""
    gain = sum(1 / math.log2(i + 2) for i, key in enumerate(found[:k]) if key in accepted)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(accepted))))
    return gain / ideal if ideal else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-labels", action="store_true")
    args = parser.parse_args()
    if args.write_labels or not LABELS.exists():
        write_labels()
    demands = json.loads(LABELS.read_text(encoding="utf-8"))
    settings = load_settings()
    graph = connect(settings)
    embedder = get_embedder(settings)
    gazetteer = Gazetteer.from_graph(graph)
    keys = {label: {} for label in ACCEPTED}
    for label, prop in ACCEPTED.items():
        key = {"Volunteer": "volunteer_id", "Venue": "venue_id", "Organization": "org_id"}[label]
        for row in graph.read(f"MATCH (n:{label}) RETURN n.{key} AS k, n.{prop} AS v",
                              max_rows=1_000_000).rows:
            for code in row["v"] or []:
                keys[label].setdefault(code, set()).add(row["k"])
    scores = {name: {"top1": 0.0, "top3": 0.0, "ndcg5": 0.0}
              for name in ("vector", "fulltext", "hybrid", "hybrid_filtered")}
    for item in demands:
        label, accepted = item["label"], keys[item["label"]].get(item["code"], set())
        vector = embedder.encode([item["text"]])[0]
        lists = {"vector": nearest(graph, label, vector, 20),
                 "fulltext": fulltext_search(graph, label, item["text"], 20)}
        demand = parse_demand(item["text"], today=dt.date(2025, 6, 30), gazetteer=gazetteer)
        where, params = None, {}
        if label == "Volunteer" and demand.skills:
            where, params = "any(s IN $skills WHERE s IN coalesce(node.skills, []))", \
                {"skills": demand.skills}
        elif label == "Venue" and demand.equipment:
            where, params = "all(e IN $eq WHERE e IN coalesce(node.equipment, []))", \
                {"eq": demand.equipment}
        filtered = {"vector": nearest(graph, label, vector, 20, where, params),
                    "fulltext": fulltext_search(graph, label, item["text"], 20, where, params)}
        ranked = {"vector": [h.key for h in lists["vector"]],
                  "fulltext": [h.key for h in lists["fulltext"]],
                  "hybrid": [h.key for h in rrf(lists)],
                  "hybrid_filtered": [h.key for h in rrf(filtered)]}
        for name, found in ranked.items():
            scores[name]["top1"] += bool(found[:1]) and found[0] in accepted
            scores[name]["top3"] += any(k in accepted for k in found[:3])
            scores[name]["ndcg5"] += ndcg(found, accepted)
    n = len(demands)
    for name, s in scores.items():
        for metric, total in s.items():
            report(f"search_quality_{name}_{metric}", total / n, "share", n, graph.engine)


if __name__ == "__main__":
    main()
