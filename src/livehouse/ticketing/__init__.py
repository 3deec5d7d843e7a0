"""Tickets: ticket types and prices, coupons, merchandise, holds, orders, refunds, digital
passes and check-in — and the stock counters that make overselling impossible."""

from livehouse.identity import scopes as _scopes

_MANAGERS = ("owner", "admin")
_ALL = ("owner", "admin", "member")
_scopes.register("ticket.buy", "Buy tickets, see and refund your orders and tickets", personal=True)
_scopes.register(
    "ticket.manage", "Set up ticket types, prices, coupons and merchandise", roles=_MANAGERS
)
_scopes.register("order.read", "See an organisation's orders and attendees", roles=_ALL)
_scopes.register("order.refund", "Refund orders", roles=_MANAGERS)
_scopes.register("ticket.checkin", "Check attendees in at the door", roles=_ALL)

# Wherever ticketing's tables are loaded, the flush hooks that keep the sale cache's versions
# true must be registered too (a worker process may never import the modules that read it).
from livehouse.ticketing import salecache as _salecache  # noqa: E402, F401
