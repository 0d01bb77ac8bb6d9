"""One search measurement in a fresh process, so its peak memory is its own.

``python -m bench.search_size FACTS_YAML`` prints one JSON object: load (YAML, validation,
provenance) and index times, query latencies, and ru_maxrss.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from typing import Any

GIVEN_QUERIES = ("545", "cruelty", "sessions prosecutions", "parnets")


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: p99 is a latency that really happened)."""
    ordered = sorted(samples)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    k = rng.randrange(1, len(word) - 1)
    return word[:k] + word[k + 1] + word[k] + word[k + 2 :]


def queries_for(quotes: list[str], count: int, seed: int = 7) -> list[str]:
    """The four queries from the brief plus words a reporter might type: rare words, pairs,
    typos and numbers taken from the facts themselves (some match nothing, as in life)."""
    rng = random.Random(seed)
    queries = list(GIVEN_QUERIES)
    while len(queries) < count and quotes:
        words = [w.strip(".,").lower() for w in rng.choice(quotes).split()]
        style = len(queries) % 4
        if style == 0:
            queries.append(rng.choice(words))
        elif style == 1:
            queries.append(" ".join(rng.sample(words, 2)))
        elif style == 2:
            queries.append(_typo(rng.choice(words), rng))
        else:
            queries.append(str(rng.randint(2, 99_999)))
    return queries


def measure(path: str, queries: int) -> dict[str, Any]:
    from bot.desk.load import load_desk
    from bot.desk.search import SearchIndex

    started = time.perf_counter()
    desk = load_desk(path)
    loaded = time.perf_counter()
    index = SearchIndex.build(desk)
    indexed = time.perf_counter()
    latencies = []
    for query in queries_for([f.quote for f in desk.facts], queries):
        before = time.perf_counter()
        index.search(query)
        latencies.append(time.perf_counter() - before)
    return {
        "facts": len(desk.facts),
        "load_s": loaded - started,
        "index_s": indexed - loaded,
        "queries": len(latencies),
        "p50_s": statistics.median(latencies),
        "p99_s": percentile(latencies, 0.99),
        "max_s": max(latencies),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("facts")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--max-bytes", type=int, help="raise bot.desk.load.MAX_BYTES to this")
    args = parser.parse_args(argv)
    if args.max_bytes:
        import bot.desk.load

        bot.desk.load.MAX_BYTES = args.max_bytes
    json.dump(measure(args.facts, args.queries), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
