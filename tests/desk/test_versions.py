"""Content versions: the same words give the same version; any change a reader relies on shows."""

from __future__ import annotations

from dataclasses import replace

from bot.desk.model import AsOf
from bot.desk.versions import changed_fields, content_version, fact_content
from tests.replies.desks import figure, followup


def test_a_version_is_the_same_for_the_same_content_and_ignores_spacing_of_the_quote() -> None:
    one = figure()
    spaced = replace(one, quote=one.quote.replace(" ", "  "), line=99, tags=("new",))
    assert content_version(fact_content(one)) == content_version(fact_content(spaced))
    assert len(content_version(fact_content(one))) == 16


def test_every_field_a_reader_relies_on_changes_the_version() -> None:
    base = figure()
    changed = [
        replace(base, value="546"),
        replace(base, unit="families"),
        replace(base, as_of=AsOf.parse("2020-11")),
        replace(base, quote=base.quote + " More."),
        replace(base, attribution="The inspector general"),
        replace(base, source="another-source"),
    ]
    versions = {content_version(fact_content(f)) for f in [base, *changed]}
    assert len(versions) == len(changed) + 1


def test_fields_a_message_does_not_show_leave_the_version_alone() -> None:
    base = figure()
    relabelled = replace(base, summary="our words", tags=("x",), line=3)
    assert content_version(fact_content(base)) == content_version(fact_content(relabelled))


def test_unset_fields_stay_out_of_the_content() -> None:
    quote_only = replace(figure(), value=None, unit=None, as_of=None, kind="quote")
    assert set(fact_content(quote_only)) == {"quote", "attribution", "source"}


def test_changes_are_named_in_reading_order_with_before_and_after() -> None:
    before = fact_content(figure())
    after = fact_content(figure(value="546", as_of="2020-11"))
    words = [c.words() for c in changed_fields(before, after)]
    assert words == ["value 545 → 546", "as of October 2020 → November 2020"]


def test_a_changed_quote_is_shown_as_it_now_reads_and_attributions_are_quoted() -> None:
    before = fact_content(figure())
    after = fact_content(figure(attribution="The report"))
    assert [c.words() for c in changed_fields(before, after)] == [
        "attribution “Axios” → “The report”"
    ]
    reworded = dict(before, quote="At least 546 parents")
    assert [c.words() for c in changed_fields(before, reworded)] == [
        "quote now reads “At least 546 parents”"
    ]


def test_a_follow_ups_version_follows_its_title() -> None:
    from bot.desk.versions import followup_content

    one = followup_content(followup())
    assert content_version(one) != content_version(followup_content(followup(title="Other")))


def test_a_quote_that_changed_only_with_its_figure_is_not_named_twice() -> None:
    before = fact_content(figure())
    after = dict(before, value="546", quote=before["quote"].replace("545", "546"))
    assert [c.words() for c in changed_fields(before, after)] == ["value 545 → 546"]
    reworded = dict(after, quote=after["quote"] + " Officials said.")
    assert [c.field for c in changed_fields(before, reworded)] == ["value", "quote"]


def test_a_speaker_and_a_qualifier_are_part_of_the_content() -> None:
    from bot.desk.model import Speaker

    base = figure()
    sessions = Speaker("jeff-sessions", "Jeff Sessions", title="Former Attorney General")
    spoken = replace(base, speaker=sessions)
    assert fact_content(spoken)["speaker"] == "Jeff Sessions, Former Attorney General"
    retitled = replace(base, speaker=replace(sessions, title="Attorney General"))
    qualified = replace(base, qualifier="at least")
    versions = {content_version(fact_content(f)) for f in [base, spoken, retitled, qualified]}
    assert len(versions) == 4
    assert [c.words() for c in changed_fields(fact_content(base), fact_content(qualified))] == [
        "qualifier at least added"
    ]
    # A fact with neither keeps the version it had before the model had them.
    assert "qualifier" not in fact_content(base) and "speaker" not in fact_content(base)
