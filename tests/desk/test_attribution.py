"""Who a source credits for its words: a table of cases from the seed and two wire stories.

Each row is (article, the words, whether they are in quotation marks, the credited speaker as
the article writes it, the source line of that credit, how it was found). The two wire
stories under ``articles/`` were written for these tests; each has a said-clause, an
according-to, quotes under a list lead-in, a quote inside a finding about someone else, a
nested quote, a partial quote mid-sentence and a paraphrase.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.desk import attribution, provenance
from tests.desk.files import SEED

ARTICLES = Path(__file__).resolve().parent / "articles"
TEXTS = {
    "seed": SEED.read_text(encoding="utf-8"),
    "transit": (ARTICLES / "transit_audit.txt").read_text(encoding="utf-8"),
    "lunch": (ARTICLES / "lunch_outbreak.txt").read_text(encoding="utf-8"),
}

REPORT = "the report"
CHAIRS = "Democratic chairs on the House Oversight and Judiciary Committees"
CASES = [
    # --- the seed: the seven quotes, the findings and statements of the shipped desk
    ("seed", "single-minded focus on increasing prosecutions", True, REPORT, 13, "finds"),
    ("seed", "came at the expense of careful and appropriate", True, REPORT, 13, "finds"),
    ("seed", "did not attempt to address them", True, REPORT, 13, "list lead-in"),
    # "The former AG "promised additional resources"": promised is not a speech verb
    ("seed", "promised additional resources", True, REPORT, 13, "list lead-in"),
    # "The OIG found that Sessions expected ...": a finding about Sessions, by the OIG
    ("seed", "to prosecute as many illegal entry cases as possible", True, "The OIG", 17, "found"),
    ("seed", "the chaos, cruelty, and reckless disregard", True, CHAIRS, 21, "said"),
    # "... and accused the Trump administration of seeking "...": still the chairs' words
    ("seed", "to intentionally harm children and families", True, CHAIRS, 21, "said"),
    (
        "seed",
        "Former Attorney General Jeff Sessions underestimated how complicated",
        False,
        "a report released Thursday by Justice Department Inspector General Michael Horowitz",
        9,
        "according to",
    ),
    ("seed", "U.S. attorneys shared concerns about family separations", False, REPORT, 13, None),
    ("seed", "The report clearly chronicles Sessions’ focus", False, "Axios' Stef Kight", 19, None),
    ("seed", "A DOJ spokesperson said that while", False, "A DOJ spokesperson", 23, None),
    ("seed", "At least 545 parents separated from their children", False, None, 11, "silent"),
    # --- transit audit (straight quotes)
    ("transit", "skipped required brake inspections on 38 of its 212 buses", False,
     "an audit released Tuesday by State Auditor Lena Ortiz", 5, "according to"),
    ("transit", "We found a maintenance system that existed mostly on paper", True, "Ortiz", 7,
     "said"),
    ("transit", "approved overtime cuts without a safety review", True, "The audit", 9, "found"),
    ("transit", "completed after the buses had already returned to service.", True,
     "the auditors", 11, "list lead-in"),
    ("transit", "routinely reassigned to cleaning crews", True, "the auditors", 11,
     "list lead-in"),
    ("transit", "already corrected every finding", True, "Brandt", 15, "said"),
    ("transit", "I stopped trusting the pedals in May", True, "A driver", 17, "told"),
    ("transit", "A driver told me, 'I stopped trusting the pedals in May,' and I believed him",
     True, "union steward Dana Cole", 17, "said"),
    ("transit", "Riders' advocates said the agency should publish its inspection records",
     False, "Riders' advocates", 19, "said"),
    # --- school lunch outbreak (curly quotes)
    ("lunch", "Lettuce from a single produce supplier sickened at least 61 students", False,
     "the county health board", 5, "concluded"),
    ("lunch", "This outbreak was preventable at every step", True,
     "board chair Dr. Amira Haddad", 7, "told"),
    ("lunch", "inspectors had flagged the supplier’s cold storage twice", False, "Haddad", 9,
     "according to"),
    ("lunch", "did not require the supplier to show its inspection records", True,
     "The board’s report", 11, "says"),
    ("lunch", "log every cold-storage reading, every day", True, "the board", 13,
     "list lead-in"),
    ("lunch", "stop renewing contracts on a handshake.", True, "the board", 13, "list lead-in"),
    ("lunch", "My daughter was in the hospital for four days", True, "One parent", 17, "wrote"),
    ("lunch", "and that letter is why we are here", True, "Haddad", 17, "said"),
    ("lunch", "assurances that turned out to be worthless", True, "Ellison", 19, "said"),
    ("lunch", "Ellison said Thursday the district would review", False, "Ellison", 21, "said"),
]  # fmt: skip


def span_of(text: str, words: str) -> tuple[int, int]:
    span = provenance.locate(words, text)
    assert span is not None, words
    return span


@pytest.mark.parametrize(
    "article, words, quoted, who, line, how", CASES, ids=[f"{c[0]}:{c[1][:28]}" for c in CASES]
)
def test_the_credited_speaker(
    article: str, words: str, quoted: bool, who: str | None, line: int, how: str | None
) -> None:
    text = TEXTS[article]
    span = span_of(text, words)
    credit = attribution.credited_speaker(text, span)
    assert (credit.who, credit.line) == (who, line)
    if how is not None:
        assert credit.how == how
    assert credit.certain == (who is not None)
    assert attribution.is_quoted(text, span) == quoted


def test_the_credit_points_at_the_words_that_name_the_speaker() -> None:
    text = TEXTS["seed"]
    credit = attribution.credited_speaker(text, span_of(text, "to prosecute as many"))
    line = text.splitlines()[credit.line - 1]
    assert line[credit.column - 1 :].startswith("The OIG found")
    assert str(credit) == "“The OIG” (source line 17)"


def test_a_pronoun_alone_is_not_a_certain_credit() -> None:
    text = 'Paragraph one.\n\n"We are not done," she said.\n'
    credit = attribution.credited_speaker(text, span_of(text, "We are not done"))
    assert (credit.who, credit.pronoun, credit.certain) == ("she", True, False)


def test_apostrophes_are_not_quotation_marks() -> None:
    text = TEXTS["seed"]
    # "Sessions’ focus" and "Axios' Stef Kight" must not open a quotation.
    assert not attribution.is_quoted(text, span_of(text, "focus on penalizing adults"))
    assert not attribution.is_quoted(text, span_of(text, "Stef Kight"))


def test_splices_stay_in_one_paragraph_or_a_list_item_with_its_lead_in() -> None:
    text = TEXTS["seed"]
    lead = span_of(text, "the report finds")
    item = span_of(text, "promised additional resources")
    other_item = span_of(text, "to prosecute as many")
    chairs = span_of(text, "the chaos, cruelty")
    sessions = span_of(text, "Former Attorney General Jeff Sessions underestimated")
    assert attribution.same_passage(text, [lead, item])
    assert not attribution.same_passage(text, [item, other_item])
    assert not attribution.same_passage(text, [sessions, chairs])


@pytest.mark.parametrize(
    "phrase, name, same",
    [
        ("The OIG", "the OIG", True),
        ("a report released Thursday by Justice Department Inspector General", "the report", True),
        ("Council member Tom Reed", "Tom Reed", True),
        ("Maria Lopez, who lives on Elm Street", "Maria Lopez", True),
        ("A spokesperson for Jeff Sessions", "Jeff Sessions", False),
        ("Sessions", "the report", False),
        (CHAIRS, "Jeff Sessions", False),
        ("The former AG", "the former AG", True),
    ],
)
def test_names_agree_only_when_they_name_the_same_speaker(
    phrase: str, name: str, same: bool
) -> None:
    assert attribution.names_agree(phrase, name) is same


def test_a_quotation_sentence_continues_the_speaker_credited_just_before() -> None:
    text = '"We ran out of money," Whitfield said. "Nobody wanted this."\n'
    credit = attribution.credited_speaker(text, span_of(text, "Nobody wanted this."))
    assert (credit.who, credit.how) == ("Whitfield", "the sentence before")
    # A sentence of narrative in between is not a continuation.
    text = 'Whitfield spoke first. The board voted. "Nobody wanted this."\n'
    assert attribution.credited_speaker(text, span_of(text, "Nobody wanted this.")).who is None


def test_an_appositive_speaker_is_the_name_before_it() -> None:
    text = (
        "Board member Luis Ortega, one of the two members who voted no, said the increase "
        "would fall hardest on workers.\n"
    )
    credit = attribution.credited_speaker(text, span_of(text, "said the increase would fall"))
    assert credit.who == "Luis Ortega, one of the two members who voted no"
    assert attribution.names_agree(credit.who, "Luis Ortega, board member")
    assert attribution.names_agree("Ortega", "Luis Ortega, board member")
    assert not attribution.names_agree("board", "the county health board")
