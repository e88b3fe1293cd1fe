"""The core vocabularies missingcare ships: episode statuses, push and pull factors and the rest.

Each constant is an immutable :class:`~missingcare.vocab.Vocabulary` of coded
concepts.  The lists are *candidates* synthesised from the sources cited in the
project's domain research (sections 6 and 7); each vocabulary's ``source``
names the section and the source keys it came from.  They are open sets:
jurisdictions and embedders extend them with :meth:`Vocabulary.extend` rather
than editing them.  Nothing here states a statutory rule; definitions say what
a code means and when to use it.

>>> from missingcare.vocabularies import CORE, EPISODE_STATUSES
>>> EPISODE_STATUSES["away_without_authorisation"].display
'Away without authorisation'
>>> CORE["push_factors"].name
'push_factors'
"""

from __future__ import annotations

from types import MappingProxyType

from missingcare.vocab import Concept, Vocabulary, _vocab

__all__ = [
    "CONTEXT_CATEGORIES",
    "CONVERSATION_OUTCOMES",
    "CORE",
    "EPISODE_ENDINGS",
    "EPISODE_STATUSES",
    "EXPLOITATION_INDICATORS",
    "HARM_TYPES",
    "LOCATION_TYPES",
    "NOTIFICATION_RECIPIENTS",
    "POLICE_RISK_GRADES",
    "PULL_FACTORS",
    "PUSH_FACTORS",
    "RELATIONSHIP_ROLES",
    "RESPONSES_ON_RETURN",
    "SEARCH_ACTIONS",
    "UNMET_NEEDS",
    "WHO_WITH",
    "exploitation_category",
]

EPISODE_STATUSES = _vocab(
    "episode_statuses",
    "Episode status",
    "domain research §7.1, §2.1, §3.1, §4.2, §5.3, §5.4; "
    "DFE14, KENT, 903V, NPCC13, NGCPS, WA, QLD, SGLO-P, JERSEY, CANS, IE-WRAN",
    (
        (
            "missing",
            "Missing",
            "The child is not where they are expected to be and their whereabouts are not known.",
        ),
        (
            "away_without_authorisation",
            "Away without authorisation",
            (
                "The child's whereabouts are known but they are not at the placement or where "
                "expected, and the carer is concerned or has told the local authority or police."
            ),
        ),
        (
            "absent_no_apparent_risk",
            "Absent (no apparent risk)",
            (
                "The historical police category for a person not where they are expected to be "
                "with no apparent risk; use only to record episodes graded that way."
            ),
        ),
        (
            "not_at_home",
            "Not at home",
            (
                "Scotland: the child is not at home in circumstances agreed in advance as "
                "appropriate for this child under a local inter-agency protocol."
            ),
        ),
        (
            "unaccounted_in_contact",
            "Unaccounted for, in contact",
            (
                "Western Australia: whereabouts unknown without serious welfare concern or "
                "suspected criminality, and the child is in contact with carers or workers."
            ),
        ),
        (
            "unaccounted_not_in_contact",
            "Unaccounted for, not in contact",
            (
                "Western Australia: whereabouts unknown without serious welfare concern or "
                "suspected criminality, and the child is not in contact with carers or workers."
            ),
        ),
        (
            "absconding",
            "Absconding",
            (
                "Queensland: the child left without permission but their location is known, or "
                "the absences follow a pattern in which they always return."
            ),
        ),
        (
            "absconder_legal",
            "Absconder",
            (
                "The child is absent while subject to a secure or criminal-justice order, which "
                "police treat as missing."
            ),
        ),
        (
            "late_return",
            "Late return",
            (
                "The child has missed an agreed return time but is not, or not yet, treated as "
                "missing or away."
            ),
        ),
    ),
)

POLICE_RISK_GRADES = _vocab(
    "police_risk_grades",
    "Police risk grade",
    "domain research §7.2, §3.2; COP-RISK, COP17, NUYU, CANS, TNL, FLASH, NORF, HMIG, SCOT-C",
    (
        (
            "no_apparent_risk",
            "No apparent risk",
            (
                "Legacy grade (formerly 'absent'): no apparent risk of harm to the child or the "
                "public, so the case is monitored and reviewed."
            ),
        ),
        (
            "very_low",
            "Very low",
            (
                "The lowest grade in current police wording (label to be confirmed locally): "
                "risk of harm is very unlikely."
            ),
        ),
        (
            "low",
            "Low",
            "Risk of harm to the child or the public is possible but minimal.",
        ),
        (
            "medium",
            "Medium",
            (
                "Risk of harm is likely but not serious, or the child is likely to be in danger "
                "or a threat to themselves or others."
            ),
        ),
        (
            "high",
            "High",
            (
                "Risk of serious harm is very likely, calling for immediate and intensive action; "
                "the top grade in UK police practice."
            ),
        ),
    ),
)

PUSH_FACTORS = _vocab(
    "push_factors",
    "Push factors",
    "domain research §7.3, §6.1, §6.2; YORK98, TCS11, SCOPE25, NYAS, CATCH, WALES, MO; "
    "surveillance_and_control from the project design notes",
    (
        (
            "conflict_with_staff",
            "Conflict with carers or staff",
            "The child left after or because of conflict with carers or staff.",
        ),
        (
            "conflict_with_residents",
            "Conflict or bullying with other residents",
            (
                "The child left to get away from conflict or bullying with other children where "
                "they live."
            ),
        ),
        (
            "rules_and_sanctions",
            "Rules, sanctions or restrictions",
            (
                "The child left because of rules, sanctions or restrictions, often wanting more "
                "freedom."
            ),
        ),
        (
            "not_listened_to",
            "Not listened to",
            (
                "The child felt not listened to, or decisions about them (such as placement or "
                "contact) were made without them."
            ),
        ),
        (
            "placement_instability",
            "Placement instability or unwanted move",
            (
                "The child left because the placement was unstable or a move they did not want "
                "was planned or happened."
            ),
        ),
        (
            "out_of_area_placement",
            "Placed out of area",
            "The child is placed far from their family, friends or home area.",
        ),
        (
            "abuse_or_neglect",
            "Abuse or neglect",
            "The child left to get away from abuse or neglect, at home or in placement.",
        ),
        (
            "family_conflict",
            "Family conflict or change",
            "The child left because of conflict or change in their family.",
        ),
        (
            "bereavement_or_loss",
            "Bereavement or loss",
            "The child was affected by a death or another significant loss.",
        ),
        (
            "mental_health_distress",
            "Mental-health distress or self-harm",
            "The child left while in emotional or mental-health distress, including self-harm.",
        ),
        (
            "school_problems",
            "School problems or exclusion",
            "Problems at school, including exclusion, pushed the child to leave.",
        ),
        (
            "boredom",
            "Boredom",
            "The child left because there was nothing to do where they live.",
        ),
        (
            "feeling_unsafe",
            "Feeling unsafe",
            "The child did not feel safe where they live.",
        ),
        (
            "communication_breakdown",
            "Breakdown in communication",
            "Communication between the child and the adults around them had broken down.",
        ),
        (
            "forced_to_leave",
            "Forced to leave",
            "The child was told to leave or felt thrown out.",
        ),
        (
            "surveillance_and_control",
            "Feeling watched or controlled",
            (
                "The child experienced the home as controlling or surveilling them, and left to "
                "get away from that."
            ),
        ),
        (
            "other",
            "Other push factor",
            "A reason for leaving not covered by the other codes; describe it in a note.",
        ),
    ),
)

PULL_FACTORS = _vocab(
    "pull_factors",
    "Pull factors",
    "domain research §7.4, §6.1; YORK98, BW99, SCOPE25, KSCMP, SCOT-PILOT, CL23",
    (
        (
            "see_family",
            "To see family",
            "The child went to see parents or extended family.",
        ),
        (
            "see_siblings",
            "To see siblings",
            "The child went to see brothers or sisters.",
        ),
        (
            "see_friends",
            "To see friends",
            "The child went to be with friends or their peer group.",
        ),
        (
            "boyfriend_or_girlfriend",
            "To see a boyfriend or girlfriend",
            "The child went to be with a boyfriend or girlfriend of a similar age.",
        ),
        (
            "older_partner",
            "To see a much older partner",
            "The child went to be with a boyfriend or girlfriend who is significantly older.",
        ),
        (
            "groomed_by_adults",
            "Groomed or lured by adults",
            "Adults groomed or lured the child away, as in sexual exploitation.",
        ),
        (
            "gang_recruitment",
            "Recruited by a gang or county line",
            "A gang or county-lines network drew the child away, as in criminal exploitation.",
        ),
        (
            "drugs_or_alcohol",
            "Drugs or alcohol",
            "The child went to get or use drugs or alcohol.",
        ),
        (
            "money_gifts_status",
            "Money, gifts or status",
            "The child was drawn by money, gifts or status offered elsewhere.",
        ),
        (
            "parties",
            "Parties",
            "The child went to a party or parties.",
        ),
        (
            "online_contacts",
            "Online contacts",
            "The child went to meet someone they know from online.",
        ),
        (
            "home_area",
            "Home area or community",
            "The child went back to their home area or community.",
        ),
        (
            "independence",
            "Independence or a good time",
            "The child wanted independence or to have a good time.",
        ),
        (
            "other",
            "Other pull factor",
            "A draw not covered by the other codes; describe it in a note.",
        ),
    ),
)

UNMET_NEEDS = _vocab(
    "unmet_needs",
    "Unmet needs",
    "domain research §7.5, §6.2; VIC-ADV, DECOR, SCOPE25; being_treated_as_capable and "
    "status from the project design notes",
    (
        ("belonging", "Belonging", "The child needs to feel connected and that they belong."),
        (
            "being_heard",
            "Being heard",
            "The child needs to be listened to and to take part in decisions about them.",
        ),
        ("safety", "Safety", "The child needs to be and to feel safe."),
        (
            "stability",
            "Stability",
            "The child needs a stable placement and a sense of permanence.",
        ),
        (
            "family_contact",
            "Contact with family",
            "The child needs contact with family, including siblings.",
        ),
        (
            "education",
            "Education",
            "The child needs to be engaged in school, college or training.",
        ),
        (
            "emotional_support",
            "Emotional support",
            "The child needs emotional or mental-health support.",
        ),
        (
            "substance_support",
            "Substance-use support",
            "The child needs support with drug or alcohol use.",
        ),
        (
            "freedom",
            "Freedom",
            "The child needs freedom and independence suited to their age.",
        ),
        (
            "identity",
            "Identity",
            (
                "The child needs their identity respected, including culture, religion and "
                "sexuality."
            ),
        ),
        (
            "practical",
            "Practical needs",
            "The child needs practical things such as money, a phone or transport.",
        ),
        (
            "trusted_adult",
            "A trusted adult",
            "The child needs a relationship with an adult they trust.",
        ),
        (
            "being_treated_as_capable",
            "Being treated as capable",
            "The child needs to be trusted with responsibility and treated as capable.",
        ),
        (
            "status",
            "Status and respect",
            "The child needs standing and respect among their peers.",
        ),
        (
            "other",
            "Other need",
            "A need not covered by the other codes; describe it in a note.",
        ),
    ),
)

EXPLOITATION_INDICATORS = _vocab(
    "exploitation_indicators",
    "Exploitation indicators",
    "domain research §7.6, §6.4; PKC, SCOT03, BCP, CSE17, CEOP, CL23, ECP, SUTT, H2I-CCE, "
    "KENTC, OIG-Q",
    (
        (
            "cse.older_partner",
            "Significantly older partner",
            "The child has a boyfriend or girlfriend who is significantly older.",
        ),
        (
            "cse.unexplained_gifts",
            "Unexplained gifts or money",
            "The child has gifts, money, a phone or clothes they cannot explain.",
        ),
        (
            "cse.unexplained_absence",
            "Unexplained absence or late return",
            "The child goes missing or returns late with no explanation.",
        ),
        (
            "cse.returned_well_cared_for",
            "Returned well cared for",
            "The child came back looking well cared for although they have no known base.",
        ),
        (
            "cse.picked_up_by_unknown_adults",
            "Picked up by unknown adults",
            "The child is picked up or dropped off by unknown adults or taxis.",
        ),
        (
            "cse.peer_group_change",
            "New peer group or isolation",
            "The child has a new peer group or is isolated from their usual peers.",
        ),
        (
            "cse.sexual_health_concern",
            "Sexual-health concern",
            (
                "After an absence the child has an infection, a pregnancy or asks for emergency "
                "contraception."
            ),
        ),
        (
            "cse.injuries",
            "Physical injuries",
            "The child has physical injuries, as an indicator of sexual exploitation.",
        ),
        (
            "cse.substance_misuse",
            "Substance misuse",
            "The child is misusing drugs or alcohol, as an indicator of sexual exploitation.",
        ),
        (
            "cse.secretive_phone_use",
            "Secretive phone or online use",
            "The child is secretive about phone or online use or has many callers.",
        ),
        (
            "cse.found_in_unknown_area",
            "Found in an area with no known links",
            "The child was found in an area with no known links or one known for exploitation.",
        ),
        (
            "cse.sexualised_behaviour",
            "Sexualised behaviour",
            "The child shows sexualised behaviour.",
        ),
        (
            "cse.self_harm",
            "Self-harm",
            "The child self-harms, as an indicator of sexual exploitation.",
        ),
        (
            "cse.disclosure_then_withdrawal",
            "Disclosure then withdrawal",
            "The child disclosed something and then withdrew it.",
        ),
        (
            "cce.found_out_of_area",
            "Found out of area",
            "The child was found in a town or area away from where they live.",
        ),
        (
            "cce.travel_tickets",
            "Unexplained travel tickets",
            "The child has train or bus tickets they cannot explain.",
        ),
        (
            "cce.multiple_phones",
            "Several phones or SIM cards",
            "The child has more than one phone or SIM card, or a burner phone.",
        ),
        (
            "cce.unexplained_cash_or_debt",
            "Unexplained cash or debt",
            "The child has cash they cannot explain or owes a debt, which may be debt bondage.",
        ),
        (
            "cce.drugs_or_paraphernalia",
            "Drugs or paraphernalia",
            "The child has drugs or drug paraphernalia.",
        ),
        ("cce.weapons", "Weapons", "The child has a weapon or talks of carrying one."),
        (
            "cce.injuries",
            "Unexplained injuries",
            "The child has injuries, as an indicator of criminal exploitation.",
        ),
        (
            "cce.change_in_dress_or_language",
            "Change in dress or language",
            "The child has changed how they dress or uses new slang.",
        ),
        (
            "cce.attachment_to_bag",
            "Attached to a particular bag",
            "The child will not be parted from a particular bag.",
        ),
        (
            "cce.association_with_older_gang_members",
            "Associates with older or gang members",
            "The child spends time with older people or known gang members.",
        ),
        (
            "cce.missing_for_days",
            "Missing for days",
            "The child goes missing for days at a time.",
        ),
        (
            "cce.petty_crime",
            "Involved in petty crime",
            "The child has become involved in petty crime.",
        ),
        (
            "cce.fear_of_other_areas",
            "Fear of other areas",
            "The child is afraid of going to particular areas.",
        ),
        (
            "trafficking.nrm_referral_considered",
            "National Referral Mechanism referral considered",
            (
                "A referral to the National Referral Mechanism was considered because the child "
                "may be a victim of trafficking or modern slavery."
            ),
        ),
        (
            "trafficking.sex_trafficking_screen_positive",
            "Sex-trafficking screening positive",
            (
                "A screening after the return (as in US protocols under P.L. 113-183) found the "
                "child may be a victim of sex trafficking."
            ),
        ),
    ),
)

_EXPLOITATION_PREFIXES = MappingProxyType(
    {"cse.": "sexual", "cce.": "criminal", "trafficking.": "trafficking"}
)


def exploitation_category(concept: Concept | str) -> str:
    """The category of an exploitation indicator: ``sexual``, ``criminal`` or ``trafficking``.

    The category is read from the code's prefix (``cse.``, ``cce.``,
    ``trafficking.``), so indicators an embedder adds with those prefixes work
    too.  Anything else raises :class:`ValueError`.

    >>> exploitation_category(EXPLOITATION_INDICATORS["cce.travel_tickets"])
    'criminal'
    """
    code = concept.code if isinstance(concept, Concept) else concept
    if isinstance(code, str):
        for prefix, category in _EXPLOITATION_PREFIXES.items():
            if code.startswith(prefix) and len(code) > len(prefix):
                return category
    raise ValueError(
        "an exploitation indicator's code starts with 'cse.', 'cce.' or 'trafficking.'"
    )


LOCATION_TYPES = _vocab(
    "location_types",
    "Location types",
    "domain research §7.7, §6.3; KNOW, CL23, BCP, PCC, UKMPU21",
    (
        ("friends_home", "Friend's home", "The home of a friend of the child."),
        (
            "family_home",
            "Family member's home",
            "The home of a parent, sibling or other family member.",
        ),
        ("partners_home", "Partner's home", "The home of the child's boyfriend or girlfriend."),
        (
            "unknown_adults_address",
            "Unknown adult's address",
            "An address belonging to an adult not known to the child's carers.",
        ),
        ("hotel_or_short_let", "Hotel or short let", "A hotel, guest house or short-let flat."),
        ("party", "Party", "A party or house party."),
        (
            "street_or_outdoors",
            "Street, park or outdoors",
            "A street, park or other outdoor place, including sleeping rough.",
        ),
        (
            "transport_hub",
            "Station or transport hub",
            "A railway station, bus station or other transport hub.",
        ),
        ("vehicle", "Vehicle", "A car, van or other vehicle."),
        (
            "commercial_premises",
            "Shop or commercial premises",
            "A shop, fast-food outlet or other commercial premises.",
        ),
        ("school_or_college", "School or college", "A school or college."),
        ("hospital", "Hospital", "A hospital or emergency department."),
        ("police_custody", "Police custody or station", "Police custody or a police station."),
        (
            "other_placement",
            "Another home or placement",
            "Another children's home or care placement.",
        ),
        (
            "out_of_area",
            "Another town or area",
            "A town, city or county away from the child's placement and home area.",
        ),
        (
            "trap_house",
            "Trap house or drug-dealing address",
            "An address used for dealing drugs.",
        ),
        ("other", "Other location", "A place not covered by the other codes."),
        (
            "unknown_or_not_disclosed",
            "Unknown or not disclosed",
            "Where the child was is not known or the child chose not to say.",
        ),
    ),
)

WHO_WITH = _vocab(
    "who_with",
    "Who the child was with",
    "domain research §7.8, §6.3; DOCEST16, PKC, CL23",
    (
        ("alone", "Alone", "The child was on their own."),
        ("peers", "Peers of similar age", "The child was with young people of a similar age."),
        (
            "residents_same_placement",
            "Children from the same placement",
            "The child was with another child from the same home or placement.",
        ),
        ("family_member", "Family member", "The child was with a member of their family."),
        (
            "boyfriend_or_girlfriend",
            "Boyfriend or girlfriend",
            "The child was with a boyfriend or girlfriend of a similar age.",
        ),
        (
            "older_partner",
            "Much older partner",
            "The child was with a boyfriend or girlfriend who is significantly older.",
        ),
        (
            "known_adults",
            "Adults known to carers",
            "The child was with adults their carers know.",
        ),
        (
            "unknown_adults",
            "Adults unknown to carers",
            "The child was with adults their carers do not know.",
        ),
        (
            "person_of_concern",
            "Person of concern",
            (
                "The child was with a person of concern, such as someone subject to a Child "
                "Abduction Warning Notice."
            ),
        ),
        (
            "gang_associates",
            "Gang or group associates",
            "The child was with gang or group associates.",
        ),
        (
            "online_contact",
            "Online contact met in person",
            "The child met in person someone they know from online.",
        ),
        ("other", "Other", "Someone not covered by the other codes."),
        (
            "not_disclosed",
            "Not disclosed",
            "The child chose not to say who they were with, or it is not known.",
        ),
    ),
)

EPISODE_ENDINGS = _vocab(
    "episode_endings",
    "How the episode ended",
    "domain research §7.9; UKMPU21, 903V",
    (
        (
            "returned_voluntarily",
            "Returned of their own accord",
            "The child came back by themselves.",
        ),
        (
            "returned_with_friend_or_family",
            "Returned with friend or family",
            "A friend or family member brought the child back.",
        ),
        (
            "collected_by_staff",
            "Collected by staff or carer",
            "Staff or a carer collected the child from where they were.",
        ),
        (
            "found_by_staff_search",
            "Found by staff search",
            "Staff or carers found the child while searching.",
        ),
        (
            "returned_by_police",
            "Located or returned by police",
            "Police located the child or brought them back.",
        ),
        (
            "found_via_public_appeal",
            "Found via public appeal",
            "The child was found after a public appeal.",
        ),
        (
            "attended_hospital",
            "Attended hospital",
            "The child was located at or taken to hospital.",
        ),
        (
            "in_custody",
            "Arrested or in custody",
            "The child was arrested or located in custody.",
        ),
        (
            "still_missing_at_period_end",
            "Still missing at period end",
            "The child had not been found when the reporting period ended.",
        ),
        (
            "placement_ended_while_missing",
            "Placement ended while missing",
            "The placement the child went missing from ended before they were found.",
        ),
        ("other", "Other", "An ending not covered by the other codes."),
    ),
)

CONVERSATION_OUTCOMES = _vocab(
    "conversation_outcomes",
    "Return conversation outcome",
    "domain research §7.10, §6.3, §4.2; DOCEST16, MP-RHI24, SCOT-D",
    (
        (
            "accepted",
            "Accepted",
            "The child accepted the offer of a return conversation.",
        ),
        (
            "declined",
            "Declined",
            "The child declined the offer; record the reason they gave, if any.",
        ),
        (
            "not_offered",
            "Not offered",
            "A conversation was not offered; record the decision and its reason.",
        ),
        (
            "unable_to_locate_child",
            "Unable to locate child",
            "An attempt was made but the child could not be found to offer or hold it.",
        ),
        (
            "missing_again",
            "Missing again",
            "The child went missing again before the conversation could take place.",
        ),
        (
            "no_response",
            "No response",
            "The child or their carers did not respond to the offer or attempt.",
        ),
        (
            "rescheduled",
            "Rescheduled",
            "The conversation was arranged for a different time.",
        ),
    ),
)

CONTEXT_CATEGORIES = _vocab(
    "context_categories",
    "Context before an episode",
    "domain research §6.5, §6.3, §7.3; PKC, WALES, MO, YORK98, MP-NEXT, KNOW",
    (
        (
            "conflict_with_staff",
            "Conflict with staff",
            "An argument or conflict between the child and carers or staff.",
        ),
        (
            "conflict_with_peer",
            "Conflict with a peer",
            "An argument, fight or bullying between the child and another young person.",
        ),
        (
            "conflict_with_family",
            "Conflict with family",
            "An argument or conflict between the child and a family member.",
        ),
        (
            "conflict_resolved",
            "Conflict resolved",
            "An earlier conflict was talked through and resolved.",
        ),
        (
            "sanction_imposed",
            "Sanction imposed",
            "The child was given a sanction or consequence.",
        ),
        (
            "restriction_imposed",
            "Restriction imposed",
            "A new restriction was placed on the child, such as on going out or phone use.",
        ),
        (
            "contact_cancelled",
            "Family contact cancelled",
            "A planned contact with family was cancelled.",
        ),
        (
            "contact_changed",
            "Family contact changed",
            "A planned contact with family was moved, shortened or otherwise changed.",
        ),
        ("contact_held", "Family contact held", "The child had contact with family."),
        (
            "family_news",
            "Family news",
            "The child received news about their family.",
        ),
        (
            "social_worker_visit_cancelled",
            "Social worker visit cancelled",
            "A planned visit from the child's social worker was cancelled.",
        ),
        (
            "key_worker_off_shift",
            "Key worker off shift",
            "The child's key worker was not on shift.",
        ),
        (
            "key_worker_on_leave",
            "Key worker on leave",
            "The child's key worker was on leave.",
        ),
        (
            "key_worker_left",
            "Key worker left",
            "The child's key worker left the home or stopped working with the child.",
        ),
        (
            "staff_change",
            "Staff change",
            "Staff the child knows changed, or unfamiliar staff were on shift.",
        ),
        (
            "new_phone_or_gifts",
            "New phone or gifts",
            "The child had a new phone, money or gifts.",
        ),
        (
            "unknown_adult",
            "Unknown adult",
            "An adult unknown to carers was in contact with the child.",
        ),
        (
            "older_peers",
            "Older peers",
            "The child was spending time with older young people.",
        ),
        (
            "new_peer_group",
            "New peer group",
            "The child had started spending time with a new group of peers.",
        ),
        (
            "many_calls_or_messages",
            "Many calls or messages",
            "The child received many calls or messages shortly before leaving.",
        ),
        (
            "picked_up_by_car",
            "Picked up by a car",
            "The child was picked up by a car or taxi, or one was seen waiting.",
        ),
        (
            "placement_move_news",
            "News of a placement move",
            "The child was told about, or learned of, a possible or planned placement move.",
        ),
        (
            "school_exclusion",
            "School exclusion",
            "The child was excluded from school.",
        ),
        (
            "school_problem",
            "School problem",
            "The child had a problem at school, such as truancy, a conflict or a detention.",
        ),
        (
            "bereavement_or_anniversary",
            "Bereavement or anniversary",
            "A bereavement, or the anniversary of a death or other significant event.",
        ),
        (
            "health_or_self_harm",
            "Health concern or self-harm",
            "The child was unwell, in distress or self-harmed.",
        ),
        (
            "police_contact",
            "Police contact",
            "The child had contact with the police.",
        ),
        (
            "positive_activity",
            "Positive activity",
            "The child took part in an activity they enjoyed.",
        ),
        (
            "child_upset",
            "Child upset or agitated",
            "The child seemed upset, agitated or stressed.",
        ),
        (
            "court_or_review_meeting",
            "Court hearing or review meeting",
            "A court hearing, looked-after review or other meeting about the child.",
        ),
        (
            "substance_use",
            "Substance use",
            "The child used, or was suspected of using, drugs or alcohol.",
        ),
        (
            "online_contact_concern",
            "Online contact concern",
            "There was a concern about someone the child was in contact with online.",
        ),
        (
            "strategy_meeting_held",
            "Strategy meeting held",
            "A strategy or multi-agency meeting about the child's repeated going missing was held.",
        ),
        (
            "plan_review_requested",
            "Review of plans requested",
            "The placing authority was contacted and asked to review the child's relevant plans.",
        ),
        (
            "episode_context_reviewed",
            "Context before the episode reviewed",
            "The hours and days before an episode were reviewed: conflicts, needs, pull factors.",
        ),
        (
            "no_trusted_adult_noted",
            "No trusted adult (noted)",
            "The child does not yet name an adult in the home they trust; noted to act on.",
        ),
        ("other", "Other", "Something not covered by the other codes; describe it in a note."),
    ),
)

RELATIONSHIP_ROLES = _vocab(
    "relationship_roles",
    "Roles of adults around the child",
    "domain research §6.2, §2.1, §2.5; ADV, LEEDS-C, SCOT-TIPS, ROSE, KNOW, TRIX-IRI, HEREF",
    (
        (
            "key_worker",
            "Key worker",
            "The member of staff with particular responsibility for the child.",
        ),
        (
            "residential_care_worker",
            "Residential care worker",
            "A member of care staff at the child's children's home.",
        ),
        (
            "registered_manager",
            "Registered manager",
            "The registered manager of the child's children's home.",
        ),
        (
            "deputy_manager",
            "Deputy manager",
            "The deputy manager of the child's children's home.",
        ),
        ("foster_carer", "Foster carer", "The child's foster carer."),
        ("social_worker", "Social worker", "The child's allocated social worker."),
        (
            "personal_adviser",
            "Personal adviser",
            "The personal adviser supporting the child towards leaving care.",
        ),
        (
            "independent_return_interviewer",
            "Independent return interviewer",
            "A worker, independent of the child's carers, who holds return conversations.",
        ),
        ("advocate", "Advocate", "An advocate who helps the child have their say."),
        (
            "independent_visitor",
            "Independent visitor",
            "A volunteer independent visitor who befriends the child.",
        ),
        ("teacher", "Teacher", "A teacher or other member of school or college staff."),
        ("youth_worker", "Youth worker", "A youth worker the child knows."),
        ("mentor", "Mentor", "A mentor the child knows."),
        ("family_member", "Family member", "A member of the child's family."),
        ("police_officer", "Police officer", "A police officer who knows or works with the child."),
        (
            "health_worker",
            "Health worker",
            "A nurse, doctor, therapist or other health worker.",
        ),
        ("other", "Other", "A role not covered by the other codes."),
    ),
)

NOTIFICATION_RECIPIENTS = _vocab(
    "notification_recipients",
    "Notification recipients",
    "domain research §2.2, §4.3, §5.1, §10; REG40, REG41, YORKR, ROTH, CHF, NIAQW, OIG-Q",
    (
        ("police", "Police", "The police force the child is reported to."),
        (
            "placing_authority",
            "Placing authority",
            "The local authority that placed the child.",
        ),
        ("social_worker", "Social worker", "The child's allocated social worker."),
        (
            "parent_or_carer",
            "Parent or carer",
            "A parent or other person with parental responsibility, where appropriate.",
        ),
        (
            "independent_reviewing_officer",
            "Independent reviewing officer",
            "The child's independent reviewing officer.",
        ),
        (
            "ofsted",
            "Ofsted",
            (
                "Ofsted (His Majesty's Chief Inspector) in England, for example for a "
                "serious-event notification from a children's home."
            ),
        ),
        (
            "host_authority",
            "Host authority",
            (
                "The local authority for the area where the child is placed, when it is not the "
                "placing authority."
            ),
        ),
        (
            "emergency_duty_team",
            "Emergency duty team",
            "The local authority's out-of-hours emergency duty team.",
        ),
        (
            "virtual_school",
            "Virtual school",
            "The virtual school that oversees the education of the child as a looked-after child.",
        ),
        (
            "care_inspectorate",
            "Care Inspectorate",
            "The Care Inspectorate, the regulator of care services in Scotland.",
        ),
        (
            "doh_ni",
            "Department of Health (Northern Ireland)",
            (
                "The Department of Health in Northern Ireland, which receives untoward-event "
                "notifications when a looked-after child goes missing."
            ),
        ),
        (
            "ncmec",
            "NCMEC",
            (
                "The US National Center for Missing & Exploited Children, to which a child missing "
                "from foster care is reported."
            ),
        ),
        ("other", "Other", "A recipient not covered by the other codes."),
    ),
)

SEARCH_ACTIONS = _vocab(
    "search_actions",
    "Search actions",
    "domain research §2.2, §4.1, §4.2, §10; YORKR, ROTH, CHF, MP-WAL, SCOT-RESP",
    (
        (
            "searched_home_and_grounds",
            "Searched the home and grounds",
            "Staff searched the building and grounds.",
        ),
        ("phoned_child", "Phoned the child", "Staff called the child's phone."),
        (
            "messaged_child",
            "Messaged the child",
            "Staff sent the child a text or other message.",
        ),
        (
            "contacted_friends",
            "Contacted friends",
            "Staff contacted the child's friends or their families.",
        ),
        (
            "contacted_family",
            "Contacted family",
            "Staff contacted members of the child's family.",
        ),
        (
            "visited_known_locations",
            "Visited known locations",
            "Staff went to places the child is known to go.",
        ),
        (
            "checked_social_media",
            "Checked social media",
            "Staff checked the child's public social-media activity.",
        ),
        (
            "contacted_school",
            "Contacted school",
            "Staff contacted the child's school or college.",
        ),
        (
            "drove_local_area",
            "Drove around the local area",
            "Staff drove around the local area looking for the child.",
        ),
        ("other", "Other", "A search action not covered by the other codes."),
    ),
)

HARM_TYPES = _vocab(
    "harm_types",
    "Types of harm",
    "domain research §6.3, §6.1, §10; KNOW, MP-NEXT, TCS11, YORK98",
    (
        ("physical_injury", "Physical injury", "The child was physically hurt or injured."),
        ("sexual_harm", "Sexual harm", "The child was sexually assaulted or sexually harmed."),
        (
            "emotional_harm",
            "Emotional harm",
            "The child was threatened, frightened or otherwise emotionally harmed.",
        ),
        (
            "exploitation",
            "Exploitation",
            "The child was sexually or criminally exploited.",
        ),
        (
            "substance_related",
            "Substance-related harm",
            "The child was harmed through drugs or alcohol.",
        ),
        (
            "neglect",
            "Neglect",
            "The child went without food, shelter or other basic care.",
        ),
        ("self_harm", "Self-harm", "The child harmed themselves."),
        ("other", "Other", "Harm not covered by the other codes."),
    ),
)

RESPONSES_ON_RETURN = _vocab(
    "responses_on_return",
    "The home's response on return",
    "domain research §2.2, §6.1, §10; ROTH, DUR, NMS19, MO, MO2",
    (
        (
            "welcomed_back",
            "Welcomed back",
            "Staff welcomed the child back warmly.",
        ),
        (
            "food_and_rest_offered",
            "Food and rest offered",
            "The child was offered food, a drink, a wash or rest.",
        ),
        (
            "key_worker_conversation",
            "Conversation with key worker",
            "The child's key worker or another trusted member of staff talked with them.",
        ),
        ("grounding", "Grounding", "The child was not allowed out for a period."),
        ("phone_removed", "Phone removed", "The child's phone was taken away."),
        (
            "pocket_money_withheld",
            "Pocket money withheld",
            "Some or all of the child's pocket money was withheld.",
        ),
        (
            "activity_cancelled",
            "Activity cancelled",
            "A planned activity or treat was cancelled.",
        ),
        (
            "increased_supervision",
            "Increased supervision",
            "The child was supervised more closely than before.",
        ),
        ("room_search", "Room searched", "The child's room or belongings were searched."),
        (
            "locked_doors_or_alarms",
            "Locked doors or alarms",
            "Doors were locked or door or window alarms were used.",
        ),
        (
            "contact_restricted",
            "Contact restricted",
            "The child's contact with particular people was restricted.",
        ),
        ("none", "No particular response", "The home made no particular response."),
    ),
)

#: Every core vocabulary, by name, in a fixed order.
CORE: MappingProxyType[str, Vocabulary] = MappingProxyType(
    {
        vocabulary.name: vocabulary
        for vocabulary in (
            EPISODE_STATUSES,
            POLICE_RISK_GRADES,
            PUSH_FACTORS,
            PULL_FACTORS,
            UNMET_NEEDS,
            EXPLOITATION_INDICATORS,
            LOCATION_TYPES,
            WHO_WITH,
            EPISODE_ENDINGS,
            CONVERSATION_OUTCOMES,
            CONTEXT_CATEGORIES,
            RELATIONSHIP_ROLES,
            NOTIFICATION_RECIPIENTS,
            SEARCH_ACTIONS,
            HARM_TYPES,
            RESPONSES_ON_RETURN,
        )
    }
)
