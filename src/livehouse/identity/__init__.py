"""Accounts, passwords, verification, OAuth2 tokens, apps and API keys, social sign-in,
impersonation, GDPR. `identity.auth` is how every other capability learns who is calling."""
