"""Build one missing episode with its context, return conversation and trusted adult,
send the child's case file as JSON, and get back exactly what was sent.

Run: python examples/quickstart.py   (all data here is synthetic)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import missingcare as mc
from missingcare.vocabularies import (
    CONTEXT_CATEGORIES,
    CONVERSATION_OUTCOMES,
    EPISODE_ENDINGS,
    EPISODE_STATUSES,
    PULL_FACTORS,
    PUSH_FACTORS,
    RELATIONSHIP_ROLES,
    UNMET_NEEDS,
    WHO_WITH,
)

ZONE = "Europe/London"


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return mc.local_instant(2026, month, day, hour, minute, zone=ZONE)


def build_case() -> mc.CaseFile:
    home = mc.Placement("home-7", mc.PlacementKind.CHILDRENS_HOME, ZONE, placing_authority="LA-01")
    last_seen = at(23, 22, 30)
    episode = mc.MissingEpisode(
        id="ep-1",
        child_id="child-42",
        placement_id=home.id,
        zone=ZONE,
        last_seen_at=last_seen,
        statuses=(
            mc.StatusChange(last_seen, EPISODE_STATUSES["away_without_authorisation"]),
            mc.StatusChange(at(23, 23, 45), EPISODE_STATUSES["missing"]),
        ),
        police_report=mc.PoliceReport(at(23, 23, 50), reference="SYN-0001"),
        ended_at=at(24, 21, 30),
        returned_at=at(24, 22, 0),
        ending=EPISODE_ENDINGS["returned_voluntarily"],
        who_with=(WHO_WITH["older_partner"],),
    )
    row = mc.ContextEntry(
        id="log-1",
        child_id="child-42",
        at=at(23, 19, 0),
        category=CONTEXT_CATEGORIES["conflict_with_staff"],
        note="Argument about phone being taken at bedtime.",
        needs=(UNMET_NEEDS["being_heard"],),
    )
    conversation = mc.ReturnConversation(
        id="rc-1",
        child_id="child-42",
        episode_ids=("ep-1",),
        offers=(mc.ConversationOffer(at(25, 10, 0), CONVERSATION_OUTCOMES["accepted"]),),
        decision=mc.Decision.ACCEPTED,
        held_at=at(26, 16, 0),
        interviewer=mc.Interviewer(
            role=RELATIONSHIP_ROLES["independent_return_interviewer"],
            independent_of_home=True,
            chosen_by_child=False,
        ),
        child_account="Nobody here listens. I went to see him because he listens.",
        topics=(mc.ConversationTopic.HARM, mc.ConversationTopic.REASONS_FOR_RUNNING),
    )
    key_worker = mc.TrustedAdult(
        id="ta-1",
        child_id="child-42",
        adult_id="staff-3",
        role=RELATIONSHIP_ROLES["key_worker"],
        named_at=at(1, 12, 0, month=9),
        child_words="She gets me.",
    )
    factors = (
        mc.Factor(
            "f-1",
            "child-42",
            mc.FactorDirection.PUSH,
            PUSH_FACTORS["not_listened_to"],
            mc.EvidenceSource.CHILD_OWN_WORDS,
            at(26, 16, 30),
            episode_ids=("ep-1",),
        ),
        mc.Factor(
            "f-2",
            "child-42",
            mc.FactorDirection.PULL,
            PULL_FACTORS["older_partner"],
            mc.EvidenceSource.RETURN_CONVERSATION,
            at(26, 16, 30),
            episode_ids=("ep-1",),
        ),
    )
    return mc.CaseFile(
        child=mc.ChildRef("child-42", date_of_birth=date(2011, 3, 14)),
        placements=(home,),
        episodes=(episode,),
        conversations=(conversation,),
        context=(row,),
        factors=factors,
        trusted_adults=(key_worker,),
    )


def main() -> None:
    case = build_case()
    data = mc.to_json(case)
    back = mc.from_json(data, mc.CaseFile)
    assert back == case, "the round trip must lose nothing"
    episode = back.episodes[0]
    assert episode.duration == timedelta(hours=23)
    print(f"{len(data)} bytes of JSON; round trip equal: {back == case}")
    hours, days = episode.duration // timedelta(hours=1), episode.length_in_days
    print(
        f"episode {episode.id}: {hours} hours elapsed, "
        f"{days} calendar day{'' if days == 1 else 's'} as DfE counts them"
    )
    print("the child's words, verbatim:", back.conversations[0].child_account)

    broken = data.replace(b'"2026-10-24T21:00:00Z"', b'"2026-10-24T22:00:00"')
    paths: tuple[str, ...] = ()
    try:
        mc.from_json(broken, mc.CaseFile)
    except mc.ValidationError as error:
        print("refused:", error.violations[0])
        paths = error.paths
    assert paths == ("$.episodes[0].returned_at",), "a naive timestamp must be refused"


if __name__ == "__main__":
    main()
