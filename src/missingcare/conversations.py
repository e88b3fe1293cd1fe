"""The return conversation (return home interview) after an episode.

It may cover several episodes when the child went missing again before it was
held; every offer and attempt is kept, and the child's own words are kept
verbatim.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from missingcare import _fields as f
from missingcare.exceptions import ValidationError
from missingcare.records import Recorded, recorded_field
from missingcare.vocab import Concept

__all__ = [
    "AgreedAction",
    "ContactMethod",
    "ConversationOffer",
    "ConversationTopic",
    "Decision",
    "ExploitationCategory",
    "ExploitationScreening",
    "Interviewer",
    "ResponseOnReturn",
    "ReturnConversation",
]


class ContactMethod(enum.Enum):
    """How an offer was made or a conversation held."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    MESSAGE = "message"
    LETTER = "letter"


class ConversationTopic(enum.Enum):
    """What a return conversation should cover (statutory guidance 2014 and practice)."""

    HARM = "harm"
    REASONS_FOR_RUNNING = "reasons_for_running"
    SAFETY_PLANNING = "safety_planning"
    HELPLINE_INFORMATION = "helpline_information"
    WHERE_AND_WHO_WITH = "where_and_who_with"
    WHAT_WOULD_HELP = "what_would_help"


class ExploitationCategory(enum.Enum):
    """The kinds of exploitation screened for after a return."""

    SEXUAL = "sexual"
    CRIMINAL = "criminal"
    TRAFFICKING = "trafficking"


@attrs.frozen
class ConversationOffer:
    """One offer of, or attempt at, a return conversation, and what came of it."""

    at: datetime = attrs.field(
        **f.at("Offered at", "When was the conversation offered or attempted?")
    )
    outcome: Concept = attrs.field(
        **f.concept("conversation_outcomes", "Outcome", "What came of the offer or attempt?")
    )
    by: str | None = f.optional_text("Offered by", "Who offered (role or service)?")
    method: ContactMethod | None = f.optional_choice(ContactMethod, "How", "How was it offered?")
    reason: str | None = f.optional_text(
        "Reason", "Why it was declined, not offered or late, in the child's or worker's words."
    )


@attrs.frozen
class Interviewer:
    """Who held the conversation, and their independence from the home."""

    role: Concept = attrs.field(
        **f.concept("relationship_roles", "Role", "What is the interviewer's role?")
    )
    independent_of_home: bool | None = f.optional_flag(
        "Independent of the home", "Is the interviewer independent of the home and its staff?"
    )
    chosen_by_child: bool | None = f.optional_flag(
        "Chosen by the child",
        "Did the child choose this person (e.g. a trusted adult they know)?",
    )
    organisation: str | None = f.optional_text("Organisation", "Which service or organisation?")
    adult_id: str | None = f.optional_text(
        "Adult id", "The adult's id, if they are one of the child's known adults."
    )


@attrs.frozen
class ExploitationScreening:
    """Which kinds of exploitation were screened for, and which indicators were seen."""

    categories: tuple[ExploitationCategory, ...] = f.many(
        ExploitationCategory, "Screened for", "Which kinds of exploitation were screened for?"
    )
    indicators: tuple[Concept, ...] = f.concepts(
        "exploitation_indicators", "Indicators seen", "Which indicators were present?"
    )

    def __attrs_post_init__(self) -> None:
        if len(set(self.categories)) != len(self.categories):
            raise ValidationError.single(
                "$.categories", "repeated", "expected each category at most once"
            )


@attrs.frozen
class ResponseOnReturn:
    """Something the home did when the child came back, with its recorded reason."""

    response: Concept = attrs.field(
        **f.concept(
            "responses_on_return", "Response", "What did the home do when the child came back?"
        )
    )
    at: datetime = attrs.field(**f.at("When", "When was it done?"))
    reason: str | None = f.optional_text(
        "Recorded reason", "Why, in the record (e.g. the safeguarding reason)?"
    )
    safeguarding_reason: bool | None = f.optional_flag(
        "Safeguarding reason recorded",
        "Is the reason a safeguarding one (to keep the child safe), not a sanction?",
    )


@attrs.frozen
class AgreedAction:
    """An action agreed in or after the conversation, and whether it was done."""

    id: str = attrs.field(**f.ident("Action id", "The action's identifier."))
    description: str = attrs.field(**f.text("Action", "What was agreed?"))
    owner: str | None = f.optional_text("Owner", "Who will do it (role)?")
    due: datetime | None = f.optional_at("Due", "By when?")
    done_at: datetime | None = f.optional_at("Done at", "When was it done?")


class Decision(enum.Enum):
    """Whether the child took up the conversation."""

    ACCEPTED = "accepted"
    DECLINED = "declined"


@attrs.frozen
class ReturnConversation:
    """The conversation offered to a child after they come back.

    ``child_account`` is the child's own words, kept verbatim: the library
    never rewrites it.
    """

    id: str = attrs.field(**f.ident("Conversation id", "The conversation's identifier."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    episode_ids: tuple[str, ...] = f.many(
        str, "Episodes covered", "Which episodes does this conversation cover?", non_empty=True
    )
    offers: tuple[ConversationOffer, ...] = f.many(
        ConversationOffer, "Offers and attempts", "Every offer and attempt, with its outcome."
    )
    requested_adult_ids: tuple[str, ...] = f.many(
        str,
        "Who the child asked for",
        "Did the child ask to talk to someone they know? Which adults (ids)?",
    )
    decision: Decision | None = f.optional_choice(
        Decision, "Accepted or declined", "Did the child accept the conversation?"
    )
    declined_reason: str | None = f.optional_text(
        "Why declined", "If declined, why (in the child's words where possible)?"
    )
    held_at: datetime | None = f.optional_at("Held at", "When was the conversation held?")
    interviewer: Interviewer | None = f.optional_nested(Interviewer, "Interviewer", "Who held it?")
    method: ContactMethod | None = f.optional_choice(ContactMethod, "How", "How was it held?")
    late_reason: str | None = f.optional_text("Why late", "If it was held after the deadline, why?")
    child_account: str | None = f.optional_text(
        "The child's account", "What did the child say, in their own words?"
    )
    whereabouts: tuple[Concept, ...] = f.concepts(
        "location_types", "Where the child was", "Where did the child say they were?"
    )
    who_with: tuple[Concept, ...] = f.concepts("who_with", "Who with", "Who were they with?")
    what_happened: str | None = f.optional_text("What happened", "What happened while away?")
    harm_disclosed: tuple[Concept, ...] = f.concepts(
        "harm_types", "Harm disclosed", "Did the child disclose harm?"
    )
    screening: ExploitationScreening | None = f.optional_nested(
        ExploitationScreening, "Exploitation screening", "Were exploitation indicators screened?"
    )
    topics: tuple[ConversationTopic, ...] = f.many(
        ConversationTopic, "Topics covered", "What did the conversation cover?"
    )
    responses_on_return: tuple[ResponseOnReturn, ...] = f.many(
        ResponseOnReturn, "The home's response", "What did the home do when the child came back?"
    )
    child_feedback: str | None = f.optional_text(
        "The child's feedback", "How did the child find the conversation?"
    )
    actions: tuple[AgreedAction, ...] = f.many(
        AgreedAction, "Actions agreed", "What was agreed, by whom, by when?"
    )
    recorded: Recorded | None = recorded_field()

    def __attrs_post_init__(self) -> None:
        if not self._plainly_consistent():
            self._check()

    def _plainly_consistent(self) -> bool:
        """True only if :meth:`_check` would find nothing (a cheap, sound test).

        Plain comparisons, no paths or messages built: every load constructs
        conversations, and nearly all are consistent. :meth:`_check` decides
        whenever this answers False.
        """
        ids = self.episode_ids
        requested = self.requested_adult_ids
        topics = self.topics
        offers = self.offers
        actions = self.actions
        decision = self.decision
        held = self.held_at
        return bool(
            ids
            and f.in_time_order(offers)
            and all(map(str.strip, ids))
            and (len(ids) == 1 or len(set(ids)) == len(ids))
            and (not requested or all(map(str.strip, requested)))
            and (len(requested) < 2 or len(set(requested)) == len(requested))
            and (len(topics) < 2 or len(set(topics)) == len(topics))
            and (held is None or decision is not Decision.DECLINED)
            and (self.declined_reason is None or decision is Decision.DECLINED)
            and (
                held is not None
                or (
                    self.interviewer is None
                    and self.child_account is None
                    and self.child_feedback is None
                )
            )
            and (len(actions) < 2 or len({a.id for a in actions}) == len(actions))
        )

    def _check(self) -> None:
        """Raise a :class:`ValidationError` naming every broken invariant."""
        p = f.Problems()
        if not self.episode_ids:
            p.add("$.episode_ids", "required", "a conversation covers at least one episode")
        if len(set(self.episode_ids)) != len(self.episode_ids):
            p.add("$.episode_ids", "repeated", "expected each episode at most once")
        for i, value in enumerate(self.episode_ids):
            if not value.strip():
                p.add(f"$.episode_ids[{i}]", "empty", "expected a non-empty id")
        for i, offer in enumerate(self.offers):
            if i and offer.at < self.offers[i - 1].at:
                p.add(f"$.offers[{i}].at", "out_of_order", "expected offers in time order")
        for i, value in enumerate(self.requested_adult_ids):
            if not value.strip():
                p.add(f"$.requested_adult_ids[{i}]", "empty", "expected a non-empty id")
        if len(set(self.requested_adult_ids)) != len(self.requested_adult_ids):
            p.add("$.requested_adult_ids", "repeated", "expected each id at most once")
        if len(set(self.topics)) != len(self.topics):
            p.add("$.topics", "repeated", "expected each topic at most once")
        if self.held_at is not None and self.decision is Decision.DECLINED:
            p.add("$.held_at", "contradiction", "a declined conversation was not held")
        if self.declined_reason is not None and self.decision is not Decision.DECLINED:
            p.add("$.declined_reason", "contradiction", "only a declined conversation has a reason")
        held_only: dict[str, object] = {
            "interviewer": self.interviewer,
            "child_account": self.child_account,
            "child_feedback": self.child_feedback,
        }
        if self.held_at is None:
            for key, recorded in held_only.items():
                if recorded is not None:
                    p.add(f"$.{key}", "contradiction", "recorded for a conversation not held")
        f.unique_ids(p, self.actions, "$.actions")
        p.raise_if_any()

    @property
    def was_held(self) -> bool:
        """Whether the conversation took place."""
        return self.held_at is not None

    @property
    def first_offered_at(self) -> datetime | None:
        """When it was first offered or attempted, if ever."""
        return self.offers[0].at if self.offers else None
