"""A person's privacy settings and message preferences (EventBookings' `me` lists them).

Only the settings a person changed are stored; everything else takes its default here, so a
setting added later starts at its default for everyone. Names follow the seed; the seed's
brand is dropped from names ("…_from_eventbookings_…") and its misspelling "recieve_" fixed.

Privacy, as every read in profiles applies it:
- `lock_my_user_profile`: others see a card only (name, image), no lists, no follows, no contact;
- `allow_people_to_follow_me` / `allow_people_to_contact_me`: new follows / messages refused;
- `allow_people_to_see_my_followings`: who I follow and who follows me is hidden from others;
- `allow_people_to_see_my_join_date`: my `joined_at` is shown to others.
The `…events_i_attend…`, `…i_share`, `…find_and_invite…` and review settings are kept here for
the events capability to honour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from livehouse.core.errors import ValidationFailed

LOCK = "lock_my_user_profile"
SHOW_JOIN_DATE = "allow_people_to_see_my_join_date"
ALLOW_CONTACT = "allow_people_to_contact_me"
ALLOW_FOLLOW = "allow_people_to_follow_me"
SHOW_FOLLOWINGS = "allow_people_to_see_my_followings"
NOTIFY_FOLLOWS = "receive_notification_when_someone_follows_me_or_my_organisation"

PRIVACY: dict[str, bool] = {
    LOCK: False,
    SHOW_JOIN_DATE: False,
    "hide_review_interactions_from_public": False,
    ALLOW_CONTACT: True,
    "allow_people_to_find_and_invite_me_to_relevant_events": True,
    ALLOW_FOLLOW: True,
    SHOW_FOLLOWINGS: True,
    "allow_people_to_see_the_events_i_attend": False,
    "allow_people_to_see_the_events_i_attend_as_speaker": True,
    "allow_people_to_see_the_events_i_share": True,
}


@dataclass(frozen=True, slots=True)
class Preference:
    default: bool
    read_only: bool = False  # the platform must be able to send these (receipts, invitations)


_SHARED_PREFERENCES: dict[str, Preference] = {
    "receive_communication_from_event_organisers_for_my_purchased_events": Preference(True, True),
    "receive_event_invitations_from_event_organisers_sent_to_my_email_address": Preference(
        True, True
    ),
    "receive_reminder_for_my_purchased_events": Preference(True),
    "receive_critical_notifications_on_service_status_and_product_updates": Preference(True),
    "receive_newsletters_with_general_and_other_information": Preference(False),
    NOTIFY_FOLLOWS: Preference(False),
    "receive_notification_when_someone_shares_my_events": Preference(False),
    "receive_notification_on_review_related_activities": Preference(False),
}
EMAIL_PREFERENCES = {"receive_order_confirmation": Preference(True, True), **_SHARED_PREFERENCES}
PHONE_PREFERENCES = {"receive_order_confirmation": Preference(False), **_SHARED_PREFERENCES}

CATALOGUES: dict[str, Mapping[str, Any]] = {
    "privacy": PRIVACY,
    "email_preferences": EMAIL_PREFERENCES,
    "phone_preferences": PHONE_PREFERENCES,
}


def _default(value: bool | Preference) -> bool:
    return value.default if isinstance(value, Preference) else value


def effective(group: str, stored: Mapping[str, bool] | None) -> dict[str, bool]:
    """Every setting of `group` with its value for this person."""
    stored = stored or {}
    return {name: stored.get(name, _default(d)) for name, d in CATALOGUES[group].items()}


def read_only(group: str) -> set[str]:
    return {
        name for name, d in CATALOGUES[group].items() if isinstance(d, Preference) and d.read_only
    }


def changed(group: str, stored: Mapping[str, bool] | None, changes: Mapping[str, bool | None]):
    """The stored overrides after `changes` (None = back to the default). Read-only settings
    may be "changed" to their current value only."""
    catalogue = CATALOGUES[group]
    locked = read_only(group)
    result = dict(stored or {})
    for name, value in changes.items():
        if name not in catalogue:
            raise ValidationFailed.field(f"{group}.{name}", "Unknown setting")
        if name in locked and value is not None and value != _default(catalogue[name]):
            raise ValidationFailed.field(f"{group}.{name}", "Is read-only")
        if value is None or value == _default(catalogue[name]):
            result.pop(name, None)
        else:
            result[name] = value
    return result
