"""What people do with an event: save it, share it, review it — and the counts shown on events.

- Saves: one per account and event (saving again returns the existing save).
- Shares: a record per act of sharing (an account may share on several channels); the count is
  the number of records.
- Reviews: 1-5 stars and a text, one per account and event, only once the event has started,
  never by the event's own organisers, and only by accounts a registered
  `hooks.review_eligibility` checker accepts (ticketing: attendees). With no checker registered
  nobody may review (the safe default), unless LIVEHOUSE_EVENTS_REVIEWS_WITHOUT_CHECKER is true.
- Who sees reviews follows the organisation's privacy settings (orgs.privacy): hidden reviews
  are hidden from everyone but its team (counts too), hidden interactions hide the reviewers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, Forbidden, NotFound
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.runtime import current
from livehouse.events import access, hooks
from livehouse.events.models import Event, Review, Save, Share
from livehouse.events.schemas import EventMetrics
from livehouse.identity.auth import Principal
from livehouse.identity.models import Account
from livehouse.orgs import privacy


async def metrics_for(session: AsyncSession, event_ids: list[int]) -> dict[int, EventMetrics]:
    """Saves, shares and reviews of a page of events: one query, each count an indexed lookup."""
    if not event_ids:
        return {}

    def per_event(model: Any, *columns: Any) -> Any:
        return select(*columns).where(model.event_id == Event.id).scalar_subquery()

    rows = await session.execute(
        select(
            Event.id,
            per_event(Save, func.count()),
            per_event(Share, func.count()),
            per_event(Review, func.count()),
            per_event(Review, func.avg(Review.rating)),
        ).where(Event.id.in_(event_ids))
    )
    out = {event_id: EventMetrics() for event_id in event_ids}
    for event_id, saved, shared, reviewed, average in rows:
        metrics = out[event_id]
        metrics.saved_count, metrics.shared_count = saved, shared
        if reviewed:
            metrics.review_count = reviewed
            metrics.review_rating_average = round(float(average), 2)
    return out


async def _insert(session: AsyncSession, row: Any, conflict: str) -> None:
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:  # a concurrent request got there first
        raise Conflict(conflict) from exc


# ---- saves -----------------------------------------------------------------------------------


async def save(session: AsyncSession, account_id: int, event: Event) -> tuple[Save, bool]:
    """The account's save of this event, and whether it was made now."""
    existing = await session.scalar(
        select(Save).where(Save.event_id == event.id, Save.account_id == account_id)
    )
    if existing is not None:
        return existing, False
    row = Save(event_id=event.id, account_id=account_id)
    await _insert(session, row, "This event is already saved")
    return row, True


async def _own(
    session: AsyncSession, model: Any, event: Event, public_id: Any, account_id: int
) -> Any:
    row = await session.scalar(
        select(model).where(model.event_id == event.id, model.public_id == public_id)
    )
    if row is None or row.account_id != account_id:
        raise NotFound(f"No such {model.__name__.lower()} of yours")
    return row


async def unsave(session: AsyncSession, account_id: int, event: Event, public_id: Any) -> None:
    await session.delete(await _own(session, Save, event, public_id, account_id))


async def _page_with_accounts(
    session: AsyncSession, model: Any, event: Event, page: PageParams
) -> tuple[list[tuple[Any, dict[str, Any]]], str | None]:
    rows, cursor = await paginate(
        session,
        select(model).where(model.event_id == event.id),
        [OrderKey(model.id, descending=True)],
        page,
    )
    people = await accounts_by_id(session, {row.account_id for row in rows})
    return [(row, people.get(row.account_id, UNKNOWN)) for row in rows], cursor


UNKNOWN: dict[str, Any] = {"id": None, "name": None}  # an erased account


async def accounts_by_id(session: AsyncSession, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Public face of accounts: id and name (never the e-mail)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Account.id, Account.public_id, Account.full_name, Account.username).where(
            Account.id.in_(ids), Account.status != "erased"
        )
    )
    return {row.id: {"id": row.public_id, "name": row.full_name or row.username} for row in rows}


async def saves_page(
    session: AsyncSession, event: Event, page: PageParams
) -> tuple[list[tuple[Save, dict[str, Any]]], str | None]:
    return await _page_with_accounts(session, Save, event, page)


async def my_saves_page(
    session: AsyncSession, account_id: int, page: PageParams
) -> tuple[list[tuple[Save, Event]], str | None]:
    """My saves of events I may still see (published and not suspended)."""
    statement = (
        select(Save)
        .join(Event, Event.id == Save.event_id)
        .where(
            Save.account_id == account_id,
            Event.publishing == "published",
            Event.suspended_at.is_(None),
        )
    )
    saves, cursor = await paginate(session, statement, [OrderKey(Save.id, descending=True)], page)
    events = {
        e.id: e
        for e in await session.scalars(
            select(Event).where(Event.id.in_([s.event_id for s in saves]))
        )
    }
    return [(s, events[s.event_id]) for s in saves], cursor


# ---- shares ----------------------------------------------------------------------------------


async def share(session: AsyncSession, account_id: int, event: Event, channel: str) -> Share:
    row = Share(event_id=event.id, account_id=account_id, channel=channel)
    session.add(row)
    await session.flush()
    return row


async def unshare(session: AsyncSession, account_id: int, event: Event, public_id: Any) -> None:
    await session.delete(await _own(session, Share, event, public_id, account_id))


async def shares_page(
    session: AsyncSession, event: Event, page: PageParams
) -> tuple[list[tuple[Share, dict[str, Any]]], str | None]:
    return await _page_with_accounts(session, Share, event, page)


# ---- reviews ---------------------------------------------------------------------------------


async def may_review(session: AsyncSession, principal: Principal, event: Event) -> None:
    """Raise unless `principal` may review `event` (see module doc)."""
    assert principal.account_id is not None
    if event.starts_at > clock.now():
        raise Conflict("You can review an event once it has started")
    if await access.may(session, principal, event.org_id, "event.read"):
        raise Forbidden("Organisers cannot review their own event")
    if hooks.review_eligibility:
        for checker in hooks.review_eligibility:
            if await checker(session, event.id, principal.account_id):
                return
        raise Forbidden("Only people who attended this event can review it")
    if not current().settings.events_reviews_without_checker:
        raise Forbidden("Reviews open once ticketing can tell who attended this event")


async def review(
    session: AsyncSession, principal: Principal, event: Event, rating: int, text: str | None
) -> Review:
    await may_review(session, principal, event)
    existing = await session.scalar(
        select(Review.public_id).where(
            Review.event_id == event.id, Review.account_id == principal.account_id
        )
    )
    if existing is not None:
        raise Conflict(
            "You have already reviewed this event; change that review instead",
            extra={"review_id": str(existing)},
        )
    row = Review(event_id=event.id, account_id=principal.account_id, rating=rating, text=text)
    await _insert(session, row, "You have already reviewed this event")
    return row


async def own_review(
    session: AsyncSession, account_id: int, event: Event, public_id: Any
) -> Review:
    row: Review = await _own(session, Review, event, public_id, account_id)
    return row


async def change_review(review_row: Review, changes: dict[str, Any]) -> Review:
    for field in ("rating", "text"):
        if field in changes:
            setattr(review_row, field, changes[field])
    return review_row


async def review_privacy(session: AsyncSession, org_id: int, insider: bool) -> tuple[bool, bool]:
    """(reviews shown, reviewers shown) to a viewer; `insider`: the organisation's team."""
    if insider:
        return True, True
    return (
        await privacy.allows(session, org_id, "reviews"),
        await privacy.allows(session, org_id, "review_interactions"),
    )


async def reviews_page(
    session: AsyncSession,
    event: Event,
    page: PageParams,
    rating: int | None = None,
    *,
    insider: bool,
) -> tuple[list[tuple[Review, dict[str, Any]]], str | None]:
    """A page of reviews as `insider` (the organisation's team) or the public may see them."""
    shown, reviewers = await review_privacy(session, event.org_id, insider)
    if not shown:
        raise Forbidden("This organisation does not show its reviews")
    statement = select(Review).where(Review.event_id == event.id)
    if rating is not None:
        statement = statement.where(Review.rating == rating)
    rows, cursor = await paginate(session, statement, [OrderKey(Review.id, descending=True)], page)
    if not reviewers:
        return [(row, UNKNOWN) for row in rows], cursor
    people = await accounts_by_id(session, {row.account_id for row in rows})
    return [(row, people.get(row.account_id, UNKNOWN)) for row in rows], cursor


async def savers_to_notify(session: AsyncSession, event_id: int) -> list[tuple[str, str | None]]:
    """(e-mail, name) of the active accounts that saved the event."""
    rows = await session.execute(
        select(Account.email, Account.full_name)
        .join(Save, Save.account_id == Account.id)
        .where(Save.event_id == event_id, Account.status == "active", Account.email.is_not(None))
    )
    return [(row.email, row.full_name) for row in rows]
