"""What a suspended lifecycle run waits for. Free of Prefect, so the commands can name a wait
without importing it."""

from opgaveudvalg.delivery.records import Body


class Wait:
    """What a suspended lifecycle run waits for; its suspend key starts with the value.

    Decisions carry an answer (a form); the others only wake the run, which then reads the
    app database — the minutes, a cancellation or a closed call are recorded there."""

    MANDATE_APPROVAL = "mandate-approval"
    PUBLIC_DRAW = "public-draw"
    APPOINTMENT = "appointment"
    CALL_CLOSE = "call-close"
    MINUTES = "minutes"
    HANDOVER = "handover"
    STANDING_COMMITTEE = "standing-committee"
    COUNCIL = "council-decision"
    FOLLOW_UP = "follow-up"
    FIX = "fix"  # a user's mistake stopped the run: wait for `opgaveudvalg resume`


# The form each body answers about the recommendations.
FOR_BODY = {Body.standing_committee: Wait.STANDING_COMMITTEE, Body.council: Wait.COUNCIL}

WAITING_FOR = {
    Wait.MANDATE_APPROVAL: "KB's beslutning om kommissoriet",
    Wait.PUBLIC_DRAW: "det offentligt trukne tal",
    Wait.APPOINTMENT: "KB's udpegning af medlemmerne",
    Wait.CALL_CLOSE: "at ansøgningsfristen udløber eller opslaget lukkes",
    Wait.MINUTES: "referatet af næste møde (eller en aflysning)",
    Wait.HANDOVER: "udvalgets anbefalinger (`opgaveudvalg recommendations submit`)",
    Wait.STANDING_COMMITTEE: "fagudvalgets beslutning om anbefalingerne",
    Wait.COUNCIL: "KB's beslutning om de anbefalinger, fagudvalget sendte videre",
    Wait.FOLLOW_UP: "næste opfølgningsdato for en anbefaling",
    Wait.FIX: "en rettelse: se fejlen i flowløbets log, og kør så `opgaveudvalg resume`",
}


def describe_wait(pause_key: str | None) -> str:
    """What a suspended run with `pause_key` waits for, in words."""
    for prefix, words in WAITING_FOR.items():
        if pause_key and pause_key.startswith(prefix):
            return words
    return "ukendt"
