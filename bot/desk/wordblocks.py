"""Finding a fragment in a long normalised source without reading all of it.

The source is cut into blocks of about ``BLOCK_CHARS`` at word boundaries, and each word
gets a bitmask of the blocks where it occurs. A whole-word fragment can only start in a
block where, allowing for the blocks it runs on into, every one of its words occurs; the
masks of its words ANDed together name those few blocks, and only they are searched.

The answer is always the one a scan from the start gives: the first whole-word occurrence
at or after ``start``. Memory is one small integer per distinct word of the source.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

BLOCK_CHARS = 4096
# A look-up costs about what scanning 100 KB does, and building the index about 40 ms a
# megabyte: below this size (every real article) a plain scan wins. Measured with
# bench.gen_facts: 100,000 quotes in 20 sources of 670 KB, 54 us a quote scanned, 13 indexed.
INDEX_MIN_CHARS = 256 * 1024

# Narrowing down stops at this many candidate blocks: reading them costs less than
# looking up more words.
_FEW_BLOCKS = 2
# A word is a run of characters for which str.isalnum() holds, as provenance defines it.
_WORD = re.compile(r"[^\W_]+")

# (fragment, haystack, start, end) -> first whole-word offset in [start, end), or -1
Finder = Callable[[str, str, int, int], int]


@dataclass(frozen=True, slots=True)
class WordBlocks:
    text: str
    bounds: tuple[int, ...]  # block k is text[bounds[k]:bounds[k + 1]]
    masks: dict[str, int]  # word -> bit k set when the word starts in block k
    shortest: int  # the shortest block, for how many blocks a fragment can run over

    def candidates(self, fragment: str, start: int) -> list[int] | None:
        """Blocks (ascending, none before ``start``'s) where the fragment may begin, or
        None when the fragment has no words to look up."""
        words = set(_WORD.findall(fragment))
        if not words:
            return None
        reach = (len(fragment) - 1) // self.shortest + 1
        possible = -1
        for word in words:
            possible &= _spread_down(self.masks.get(word, 0), reach)
            if possible.bit_count() <= _FEW_BLOCKS:
                break
        first = bisect.bisect_right(self.bounds, start) - 1
        possible >>= first
        found = []
        while possible:
            low = possible & -possible
            found.append(first + low.bit_length() - 1)
            possible ^= low
        return found


def _spread_down(mask: int, reach: int) -> int:
    """Also set the ``reach`` bits below each set bit: the fragment may start that many
    blocks before the block its word is in."""
    if reach == 1:
        return mask | mask >> 1  # the usual case: a fragment shorter than a block
    spread = mask
    for shift in range(1, reach + 1):
        spread |= mask >> shift
    return spread


def _block_bounds(text: str, size: int) -> list[int]:
    """Offsets near each multiple of ``size`` that do not cut a word, then len(text).
    Every block is at least half of ``size`` long, unless the text is shorter."""
    bounds = [0]
    for near in range(size, len(text), size):
        at = near
        while at < len(text) and text[at - 1].isalnum() and text[at].isalnum():
            at += 1
        if at - bounds[-1] >= size // 2 and len(text) - at >= size // 2:
            bounds.append(at)
    bounds.append(len(text))
    return bounds


def build(text: str, size: int = BLOCK_CHARS) -> WordBlocks:
    bounds = _block_bounds(text, size)
    masks: dict[str, int] = {}
    for k in range(len(bounds) - 1):
        bit = 1 << k
        for word in set(_WORD.findall(text, bounds[k], bounds[k + 1])):
            masks[word] = masks.get(word, 0) | bit
    shortest = min((b - a for a, b in pairwise(bounds)), default=1)
    return WordBlocks(text, tuple(bounds), masks, max(1, shortest))


@lru_cache(maxsize=128)
def word_blocks(text: str) -> WordBlocks:
    """The block index of a normalised source, built once per distinct text."""
    return build(text)


def find_indexed(fragment: str, blocks: WordBlocks, start: int, scan: Finder) -> int:
    """``scan(fragment, text, start, len(text))``, reading only the blocks it can be in."""
    text = blocks.text
    candidates = blocks.candidates(fragment, start)
    if candidates is None:
        return scan(fragment, text, start, len(text))
    for k in candidates:
        begin = max(start, blocks.bounds[k])
        # The match must begin inside block k; it may end in a later one.
        end = min(len(text), blocks.bounds[k + 1] + len(fragment) - 1)
        at = scan(fragment, text, begin, end)
        if at >= 0:
            return at
    return -1
