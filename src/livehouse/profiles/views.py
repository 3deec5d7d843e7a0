"""What a reader sees of people: my own profile in full; anyone else's with their privacy applied
(a locked profile shows a card: name, image, role); performer pages; people and organisations in
lists; search. Everything a list needs is loaded in a few queries, not one per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.money import MoneyModel
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.identity.models import Account
from livehouse.media import service as media
from livehouse.media.models import Media
from livehouse.media.schemas import MediaRef
from livehouse.orgs.models import Organisation
from livehouse.orgs.service import is_platform_admin
from livehouse.profiles import catalogue, performers, privacy, service, social
from livehouse.profiles.models import (
    Connection,
    PerformerCategory,
    PerformerProfile,
    Profile,
)
from livehouse.profiles.schemas import (
    Accepts,
    CategoryOut,
    ConnectionOut,
    EntityOut,
    Metrics,
    MyProfileOut,
    PerformerOut,
    PerformerSummary,
    PreferenceOut,
    PublicProfileOut,
    Relation,
    SocialOut,
    UserSummary,
)


def _ref(images: dict[int, Media], media_id: int | None) -> MediaRef | None:
    image = images.get(media_id) if media_id is not None else None
    return MediaRef.of(image) if image is not None else None


def _price(performer: PerformerProfile | None) -> MoneyModel | None:
    if performer is None or performer.price_amount is None or performer.price_currency is None:
        return None
    return MoneyModel(amount=performer.price_amount, currency=performer.price_currency)


def _preferences(profile: Profile | None, group: str) -> list[PreferenceOut]:
    read_only = privacy.read_only(group)
    return [
        PreferenceOut(name=name, value=value, read_only=name in read_only)
        for name, value in service.settings(profile, group).items()
    ]


def name_of(account: Account, profile: Profile | None) -> str | None:
    return (profile.display_name if profile else None) or account.full_name or account.username


async def my_profile(session: AsyncSession, account: Account) -> MyProfileOut:
    profile = await service.profile_of(session, account.id)
    performer = await performers.of_account(session, account.id)
    images = await media.by_ids(session, [profile.image_media_id if profile else None])
    followers, following = await social.counts(session, account.id)
    return MyProfileOut(
        id=account.public_id,
        email=account.email,
        email_verified=account.email_verified_at is not None,
        phone=account.phone,
        phone_verified=account.phone_verified_at is not None,
        username=account.username,
        full_name=account.full_name,
        date_of_birth=account.date_of_birth,
        locale=account.locale,
        first_name=profile.first_name if profile else None,
        last_name=profile.last_name if profile else None,
        display_name=profile.display_name if profile else None,
        bio=profile.bio if profile else None,
        gender=profile.gender if profile else None,
        wedding_date=profile.wedding_date if profile else None,
        business_name=profile.business_name if profile else None,
        timezone=profile.timezone if profile else None,
        currency=profile.currency if profile else None,
        image=_ref(images, profile.image_media_id if profile else None),
        addresses=profile.addresses if profile else [],
        links=profile.links if profile else [],
        social=[SocialOut(**s) for s in (profile.social if profile else [])],
        role="performer" if performer is not None and performer.active else "client",
        privacy=service.settings(profile),
        email_preferences=_preferences(profile, "email_preferences"),
        phone_preferences=_preferences(profile, "phone_preferences"),
        metrics=Metrics(followers=followers, following=following),
        joined_at=account.created_at,
    )


async def _sees_everything(session: AsyncSession, viewer_id: int | None, account_id: int) -> bool:
    return viewer_id == account_id or (
        viewer_id is not None and await is_platform_admin(session, viewer_id)
    )


async def public_profile(
    session: AsyncSession, account: Account, viewer_id: int | None
) -> PublicProfileOut:
    profile = await service.profile_of(session, account.id)
    settings = service.settings(profile)
    locked = settings[privacy.LOCK] and not await _sees_everything(session, viewer_id, account.id)
    performer = (await performers.performers_of(session, [account.id])).get(account.id)
    images = await media.by_ids(session, [profile.image_media_id if profile else None])
    summary = None
    if performer is not None:
        categories = (await performers.categories_of(session, [performer.id]))[performer.id]
        summary = PerformerSummary(
            stage_name=performer.stage_name,
            categories=[CategoryOut.of(c) for c in categories],
            price=None if locked else _price(performer),
        )
    metrics = None
    if not locked:
        followers, following = await social.counts(session, account.id)
        metrics = Metrics(followers=followers, following=following)
    relation = None
    if viewer_id is not None and viewer_id != account.id:
        target = social.Target("user", account.id, account.public_id)
        relation = Relation(**await social.relation(session, viewer_id, target))
    visible = profile if not locked else None
    return PublicProfileOut(
        id=account.public_id,
        locked=locked,
        display_name=name_of(account, profile),
        first_name=visible.first_name if visible else None,
        last_name=visible.last_name if visible else None,
        username=account.username,
        image=_ref(images, profile.image_media_id if profile else None),
        bio=visible.bio if visible else None,
        timezone=visible.timezone if visible else None,
        links=visible.links if visible else [],
        social=[SocialOut(**s) for s in visible.social] if visible else [],
        role="performer" if performer is not None else "client",
        performer=summary,
        metrics=metrics,
        joined_at=account.created_at if not locked and settings[privacy.SHOW_JOIN_DATE] else None,
        accepts=Accepts(
            follow=not settings[privacy.LOCK] and settings[privacy.ALLOW_FOLLOW],
            contact=not settings[privacy.LOCK] and settings[privacy.ALLOW_CONTACT],
        ),
        relation=relation,
    )


async def performer_page(
    session: AsyncSession, performer: PerformerProfile, viewer_id: int | None
) -> PerformerOut:
    settings = await service.privacy_of(session, performer.account_id)
    locked = settings[privacy.LOCK] and not await _sees_everything(
        session, viewer_id, performer.account_id
    )
    slides = [] if locked else await performers.slides_of(session, performer.id)
    images = await media.by_ids(session, [performer.image_media_id])
    categories = (await performers.categories_of(session, [performer.id]))[performer.id]
    account = await session.get(Account, performer.account_id)
    assert account is not None
    return PerformerOut(
        account_id=account.public_id,
        active=performer.active,
        locked=locked,
        stage_name=performer.stage_name,
        biography=None if locked else performer.biography,
        industry=performer.industry,
        genre=performer.genre,
        links=[] if locked else performer.links,
        image=_ref(images, performer.image_media_id),
        slides=[MediaRef.of(m) for m in slides],
        price=None if locked else _price(performer),
        categories=[CategoryOut.of(c) for c in categories],
        invite_code=performer.invite_code,
        created_at=performer.created_at,
        updated_at=performer.updated_at,
    )


@dataclass(slots=True)
class _People:
    accounts: dict[int, Account]
    profiles: dict[int, Profile]
    images: dict[int, Media]


async def _people(session: AsyncSession, account_ids: Sequence[int]) -> _People:
    ids = set(account_ids)
    if not ids:
        return _People({}, {}, {})
    accounts = {a.id: a for a in await session.scalars(select(Account).where(Account.id.in_(ids)))}
    profiles = {
        p.account_id: p
        for p in await session.scalars(select(Profile).where(Profile.account_id.in_(ids)))
    }
    images = await media.by_ids(session, [p.image_media_id for p in profiles.values()])
    return _People(accounts, profiles, images)


async def connections(
    session: AsyncSession, rows: Sequence[Connection], *, show: str
) -> list[ConnectionOut]:
    """Each row as the entity on one side: `show="target"` (whom they follow or muted) or
    `show="source"` (who follows)."""
    account_ids: list[int] = []
    org_ids: list[int] = []
    for row in rows:
        if show == "source":
            account_ids.append(row.account_id)
        elif row.target_account_id is not None:
            account_ids.append(row.target_account_id)
        elif row.target_org_id is not None:
            org_ids.append(row.target_org_id)
    people = await _people(session, account_ids)
    orgs = {
        o.id: o
        for o in (
            await session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
            if org_ids
            else []
        )
    }
    items: list[ConnectionOut] = []
    for row in rows:
        account_id = row.account_id if show == "source" else row.target_account_id
        if account_id is not None:
            account = people.accounts[account_id]
            profile = people.profiles.get(account_id)
            image = _ref(people.images, profile.image_media_id if profile else None)
            entity = EntityOut(
                type="user",
                id=account.public_id,
                name=name_of(account, profile),
                username=account.username,
                image=image.url if image else None,
            )
        else:
            org = orgs[row.target_org_id]  # type: ignore[index]
            entity = EntityOut(
                type="org", id=org.public_id, name=org.name, slug=org.slug, image=org.image_url
            )
        items.append(ConnectionOut(id=row.public_id, created_at=row.created_at, entity=entity))
    return items


async def search(
    session: AsyncSession,
    viewer_id: int | None,
    page: PageParams,
    *,
    text: str | None = None,
    category: str | None = None,
    role: str | None = None,
) -> tuple[list[UserSummary], str | None]:
    """People by name, username or stage name, category and role; newest first. Locked
    profiles and people the viewer muted are left out."""
    performer_join = and_(PerformerProfile.account_id == Account.id, PerformerProfile.active)
    lock = Profile.privacy[privacy.LOCK].as_boolean()
    statement = (
        select(Account)
        .outerjoin(Profile, Profile.account_id == Account.id)
        .outerjoin(PerformerProfile, performer_join)
        .where(Account.status == "active", or_(lock.is_(None), lock.is_(False)))
    )
    if text:
        needle = text.strip().lower()
        statement = statement.where(
            or_(
                *(
                    func.lower(column).contains(needle, autoescape=True)
                    for column in (
                        Account.full_name,
                        Account.username,
                        Profile.display_name,
                        Profile.first_name,
                        Profile.last_name,
                        PerformerProfile.stage_name,
                    )
                )
            )
        )
    if role == "performer":
        statement = statement.where(PerformerProfile.id.is_not(None))
    elif role == "client":
        statement = statement.where(PerformerProfile.id.is_(None))
    if category:
        (wanted,) = await catalogue.categories_by_reference(session, [category], "category")
        statement = statement.where(
            exists().where(
                PerformerCategory.performer_id == PerformerProfile.id,
                PerformerCategory.category_id == wanted.id,
            )
        )
    if viewer_id is not None:
        muted = select(Connection.target_account_id).where(
            Connection.kind == "mute",
            Connection.account_id == viewer_id,
            Connection.target_account_id.is_not(None),
        )
        statement = statement.where(Account.id.not_in(muted))
    order = [OrderKey(Account.created_at, descending=True), OrderKey(Account.id, descending=True)]
    accounts, next_cursor = await paginate(session, statement, order, page)
    return await summaries(session, accounts), next_cursor


async def summaries(session: AsyncSession, accounts: Sequence[Account]) -> list[UserSummary]:
    ids = [a.id for a in accounts]
    people = await _people(session, ids)
    stage = await performers.performers_of(session, ids)
    categories = await performers.categories_of(session, [p.id for p in stage.values()])
    items = []
    for account in accounts:
        profile = people.profiles.get(account.id)
        performer = stage.get(account.id)
        items.append(
            UserSummary(
                id=account.public_id,
                name=name_of(account, profile),
                username=account.username,
                image=_ref(people.images, profile.image_media_id if profile else None),
                role="performer" if performer else "client",
                stage_name=performer.stage_name if performer else None,
                categories=[CategoryOut.of(c) for c in categories.get(performer.id, [])]
                if performer
                else [],
                price=_price(performer),
            )
        )
    return items
