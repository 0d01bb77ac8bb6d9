"""Reading the ``speakers:`` records and each fact's credit (speaker or attribution, about,
evidence) from facts.yaml, and pointing :mod:`bot.desk.sourcing`'s issues at their lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import yaml

from bot.desk import sourcing
from bot.desk.model import Source, Speaker
from bot.desk.yaml_reader import Fields, NodeReader, suggest

SPEAKER_KEYS = ("id", "name", "title", "aliases")


@dataclass(frozen=True, slots=True)
class CreditParts:
    attribution: str  # the speaker's name, or the free text as written
    speaker: Speaker | None
    about: tuple[Speaker, ...]
    evidence: str | None


class CreditReader(NodeReader):
    """Speakers and credits; the checker keeps ``speakers`` filled before facts are read."""

    speakers: Mapping[str, Speaker]
    speaker_ids: set[str]

    def ident(self, fields: Fields, key: str) -> str | None:
        raise NotImplementedError

    def speaker(self, node: yaml.Node, key: str) -> Speaker | None:
        fields = self.mapping(node, key, SPEAKER_KEYS, ("id", "name"))
        if fields is None:
            return None
        speaker_id = self.ident(fields, key)
        if speaker_id is not None and speaker_id in self.speaker_ids:
            self.problem(fields["id"], f"{key}.id", f"duplicate speaker id {speaker_id!r}")
            return None
        self.speaker_ids.add(speaker_id or "")
        name = self.scalar(fields, "name", key, required=True)
        aliases = tuple(value for value, _ in self.items(fields, "aliases", key))
        if speaker_id is None or name is None:
            return None
        title = self.scalar(fields, "title", key)
        return Speaker(speaker_id, name, title, aliases, node.start_mark.line + 1)

    def credit(self, node: yaml.Node, fields: Fields, key: str) -> CreditParts | None:
        """``speaker:`` (an id) or free-text ``attribution:``, one of them; ``about:`` ids."""
        if ("speaker" in fields) == ("attribution" in fields):
            message = "give either 'speaker' (a speakers id) or 'attribution', not both"
            if "speaker" not in fields:
                message = "missing required key 'speaker' (or a free-text 'attribution')"
            self.problem(fields.get("speaker") or node, key, message)
            return None
        speaker = self.speaker_ref(fields, "speaker", key)
        about = tuple(
            found
            for i, (value, node) in enumerate(self.items(fields, "about", key))
            if (found := self.known_speaker(value, node, f"{key}.about[{i}]")) is not None
        )
        evidence = self.scalar(fields, "evidence", key)
        if "speaker" in fields:
            if speaker is None:
                return None
            return CreditParts(speaker.name, speaker, about, evidence)
        text = self.scalar(fields, "attribution", key, required=True)
        return None if text is None else CreditParts(text, None, about, evidence)

    def speaker_ref(self, fields: Fields, name: str, key: str) -> Speaker | None:
        value = self.scalar(fields, name, key, required=True) if name in fields else None
        return None if value is None else self.known_speaker(value, fields[name], f"{key}.{name}")

    def known_speaker(self, value: str, node: yaml.Node, path: str) -> Speaker | None:
        if value in self.speakers:
            return self.speakers[value]
        known = sorted(self.speakers)
        message = f"unknown speaker {value!r}{suggest(value, known)}"
        hint = f"speakers: {', '.join(known)}" if known else "add it under speakers: first"
        self.problem(node, path, message, hint)
        return None

    def check_words(
        self,
        fields: Fields,
        key: str,
        kind: str,
        spans: Sequence[tuple[int, int]],
        source: Source,
        credit: CreditParts,
    ) -> None:
        """Point each sourcing issue (splice, quotation marks, credited speaker) at its key."""
        claim = sourcing.Claim.of(credit.speaker, credit.attribution, source.publisher)
        issues = sourcing.check_words(
            kind, source.text, spans, claim, credit.evidence, self.speakers
        )
        if credit.about:
            issues += sourcing.check_about(source.text, spans[0], credit.about)
        self.report(fields, key, issues)

    def report(self, fields: Fields, key: str, issues: list[sourcing.Issue]) -> None:
        for issue in issues:
            node = fields.get(issue.key) or fields.get("quote") or next(iter(fields.values()))
            path = f"{key}.{issue.key}"
            if issue.warning:
                self.warn(node, path, issue.message, issue.hint)
            else:
                self.problem(node, path, issue.message, issue.hint)
