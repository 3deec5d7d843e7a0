"""Outgoing messages: e-mail and SMS now (push and webhooks join later). Services queue a
message in their own transaction; the outbox delivers it after commit, retrying on failure."""
