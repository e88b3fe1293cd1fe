"""Insights: prompts for reflective practice, each carrying the evidence it rests on.

An :class:`Insight` is not a finding and not a verdict. It says "look here"
and asks a question; it never states a cause as certain and never scores the
child. Its text is built from a message id and parameters (so embedders can
translate it with their own catalogue), and its evidence points into the
child's :class:`~missingcare.CaseFile` by record id and JSON path, so a
reader can open exactly what the prompt rests on.

Paths select records by id (``$.context[?(@.id=='log-7')]``), not by
position, so the same case file in another order yields the same evidence.

>>> ev = Evidence.record("context", "log-7")
>>> ev.path
"$.context[?(@.id=='log-7')]"
>>> insight = Insight(
...     kind=InsightKind.SANCTION_BEFORE,
...     child_id="C-1",
...     episode_id="E-1",
...     params=(("count", 1), ("what", "Sanction imposed"), ("window", "72 hours")),
...     evidence=(ev,),
... )
>>> insight.prompt.endswith("?")
True
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from missingcare.findings import render_message

__all__ = [
    "MESSAGES",
    "Evidence",
    "Insight",
    "InsightKind",
    "Param",
]

#: A prompt parameter: a name and an already-formatted value.
Param = tuple[str, str | int]


class InsightKind(enum.Enum):
    """What an insight is about (a closed set: the analyses branch on it).

    The value is also the insight's message id in :data:`MESSAGES`.
    """

    # before the episode
    UNRESOLVED_CONFLICT = "before.unresolved_conflict"
    SANCTION_BEFORE = "before.sanction_or_restriction"
    CONTACT_DISRUPTED = "before.contact_disrupted"
    TRUSTED_ADULT_UNAVAILABLE = "before.trusted_adult_unavailable"
    TRUSTED_ADULT_LOST = "before.trusted_adult_lost"
    NEED_ESCALATING = "before.need_escalating"
    UNNAMED_PULL_SIGNAL = "before.unnamed_pull_signal"
    # the response on return
    RESTRICTION_WITHOUT_SAFEGUARDING_REASON = "response.restriction_without_safeguarding_reason"
    STRANGER_NOT_CHOSEN = "response.stranger_not_chosen"
    NO_CHILD_WORDS = "response.no_child_words"
    CHILD_WORDS_NOT_REFLECTED = "response.child_words_not_reflected"
    ACCOUNT_UNHEARD = "response.account_unheard"
    # the trusted adult
    NO_TRUSTED_ADULT = "relationship.no_trusted_adult"
    TRUSTED_ADULT_LEAVING = "relationship.trusted_adult_leaving"
    TRUSTED_ADULT_GONE = "relationship.trusted_adult_gone"
    TRUSTED_ADULT_DISTANT = "relationship.trusted_adult_distant"
    TRUSTED_ADULT_REACHED = "relationship.trusted_adult_reached"
    # the child's history
    RECURRING_FACTOR = "history.recurring_factor"
    RECURRING_NEED = "history.recurring_need"
    ACTIONS_NOT_DONE = "history.actions_not_done"


#: The English prompt for each insight kind (``str.format`` templates).
#: Every prompt is a question: an insight asks, it does not conclude.
MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        InsightKind.UNRESOLVED_CONFLICT.value: (
            "In the {window} before the child was last seen, {count:conflict was/conflicts were} "
            "left with no recorded resolution ({what}); the latest was at {latest}, {gap} "
            "before they went. "
            "What was left unrepaired, and could going have felt like the way out of it?"
        ),
        InsightKind.SANCTION_BEFORE.value: (
            "{count:sanction or restriction was/sanctions or restrictions were} imposed "
            "({what}) in the {window} before the episode. How did the child experience what "
            "was imposed, and could it have pushed the child away?"
        ),
        InsightKind.CONTACT_DISRUPTED.value: (
            "{count:contact arrangement was/contact arrangements were} cancelled or changed "
            "({what}) in the {window} before the episode. Was the child told why, and could "
            "they have gone to find the contact they lost?"
        ),
        InsightKind.TRUSTED_ADULT_UNAVAILABLE.value: (
            "The log records {what} in the {window} before the episode. Was there an adult "
            "in the home the child could turn to that day?"
        ),
        InsightKind.TRUSTED_ADULT_LOST.value: (
            "An adult the child trusted ({what}) left {gap} before the episode. Has the child "
            "had a chance to talk about the loss, and who do they turn to now?"
        ),
        InsightKind.NEED_ESCALATING.value: (
            "Log entries about the need for {what} rose to {count} in the {window} before the "
            "episode, against {baseline} in the {baseline_window} before that. Is this need "
            "being met, and was the episode perhaps a way of saying so?"
        ),
        InsightKind.UNNAMED_PULL_SIGNAL.value: (
            "The log mentions {what} {count:time/times} in the {lookback} before the episode, "
            "but no matching pull factor was recorded. Is something or someone pulling "
            "the child away?"
        ),
        InsightKind.RESTRICTION_WITHOUT_SAFEGUARDING_REASON.value: (
            "On return the home recorded {what} with no safeguarding reason. Could this feel "
            "like punishment to the child, and what is it meant to keep them safe from?"
        ),
        InsightKind.STRANGER_NOT_CHOSEN.value: (
            "The child asked to talk to someone they know, but the return conversation was "
            "held by someone else ({what}). What stood in the way of the person the child "
            "asked for?"
        ),
        InsightKind.NO_CHILD_WORDS.value: (
            "The return conversation held at {latest} records none of the child's own "
            "words. What did the child say, and how can it be kept as they said it?"
        ),
        InsightKind.CHILD_WORDS_NOT_REFLECTED.value: (
            "The child's own words are recorded from the return conversation, but no push "
            "factor, pull factor or need for this episode rests on them. What is the child "
            "telling us?"
        ),
        InsightKind.ACCOUNT_UNHEARD.value: (
            "The child's account was not heard within {deadline} of their return ({what}). "
            "What happened in the meantime, and who is still waiting to hear it?"
        ),
        InsightKind.NO_TRUSTED_ADULT.value: (
            "The child has no trusted adult recorded as present at {latest}. Who would they "
            "call, and who would they come back to?"
        ),
        InsightKind.TRUSTED_ADULT_LEAVING.value: (
            "The child's trusted adult ({what}) is due to leave in {gap}. How will the "
            "ending be shared with the child, and who will they turn to next?"
        ),
        InsightKind.TRUSTED_ADULT_GONE.value: (
            "The child's trusted adult ({what}) left {gap} ago. Has the loss been talked "
            "about, and has the child named anyone since?"
        ),
        InsightKind.TRUSTED_ADULT_DISTANT.value: (
            "The child has had no recorded contact with their trusted adult ({what}) for "
            "{gap}. Is the relationship still there for them?"
        ),
        InsightKind.TRUSTED_ADULT_REACHED.value: (
            "During the episode the child contacted their trusted adult ({what}) and the "
            "episode ended {gap} later. What made this adult the one to call, and how can "
            "that be protected?"
        ),
        InsightKind.RECURRING_FACTOR.value: (
            "The {direction} factor '{what}' is recorded for {count:episode/episodes}. "
            "What would change it, and is anyone working on it?"
        ),
        InsightKind.RECURRING_NEED.value: (
            "The need for {what} is hypothesised behind {count:episode/episodes}. What is "
            "being done to meet it?"
        ),
        InsightKind.ACTIONS_NOT_DONE.value: (
            "{count:agreed action is/agreed actions are} past due and not recorded as done "
            "({what}). Does the child know what happened to what was agreed with them?"
        ),
    }
)


def _id_selector(record_id: str) -> str:
    quoted = record_id.replace("\\", "\\\\").replace("'", "\\'")
    return f"[?(@.id=='{quoted}')]"


@attrs.frozen(order=True)
class Evidence:
    """Where in the case file an insight's evidence is: a record id and a JSON path.

    ``collection`` names the case-file list (``context``, ``episodes``,
    ``conversations``, ``factors``, ``needs``, ``trusted_adults``);
    ``id`` the record in it; ``path`` the JSON path, which may go deeper
    (``...responses_on_return[1]``).
    """

    path: str
    collection: str
    id: str

    @classmethod
    def record(cls, collection: str, record_id: str, *, within: str = "") -> Evidence:
        """Evidence for the record ``record_id`` in ``collection``, optionally a part of it.

        >>> Evidence.record("conversations", "rc-1", within=".child_account").path
        "$.conversations[?(@.id=='rc-1')].child_account"
        """
        return cls(f"$.{collection}{_id_selector(record_id)}{within}", collection, record_id)


def _sorted_evidence(value: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    return tuple(sorted(set(value)))


@attrs.frozen
class Insight:
    """A prompt for reflective practice about one child, with the evidence it rests on.

    ``kind`` says what it is about and gives the message id; ``params`` fill
    the prompt; ``evidence`` lists, sorted and without repeats, the records it
    rests on. There is deliberately no score, grade or probability.
    """

    kind: InsightKind
    child_id: str
    episode_id: str | None
    params: tuple[Param, ...] = ()
    evidence: tuple[Evidence, ...] = attrs.field(default=(), converter=_sorted_evidence)

    @property
    def message_id(self) -> str:
        """The id of the prompt's message, for translation catalogues."""
        return self.kind.value

    def param(self, name: str) -> str | int:
        """The value of the parameter ``name``; raises ``KeyError`` if absent."""
        for key, value in self.params:
            if key == name:
                return value
        raise KeyError(name)

    def render(self, catalogue: Mapping[str, str] = MESSAGES) -> str:
        """The prompt text from ``catalogue`` (message id → ``str.format`` template).

        A template may use any subset of the parameters; a missing template
        raises ``KeyError`` naming the message id. A count's format spec
        ``one/many`` gives the noun its number (``{count:time/times}``), as in
        :func:`~missingcare.findings.render_message`.
        """
        template = catalogue[self.message_id]
        return render_message(template, dict(self.params), strict=False)

    @property
    def prompt(self) -> str:
        """The prompt in English, from :data:`MESSAGES`."""
        return self.render()

    @property
    def evidence_paths(self) -> tuple[str, ...]:
        """The JSON paths of the evidence, sorted."""
        return tuple(e.path for e in self.evidence)

    def as_row(self) -> dict[str, str]:
        """A flat row for a table: kind, child, episode, prompt and evidence paths."""
        return {
            "kind": self.kind.value,
            "child_id": self.child_id,
            "episode_id": self.episode_id or "",
            "prompt": self.prompt,
            "evidence": " ".join(self.evidence_paths),
        }
