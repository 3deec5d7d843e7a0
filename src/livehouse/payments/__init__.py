"""Payments behind one provider interface: a built-in sandbox (test cards, OTP challenge) and
Stripe (PaymentIntents, signed webhooks). Other capabilities create payments and react to their
outcome through hooks; no capability talks to a provider directly."""
