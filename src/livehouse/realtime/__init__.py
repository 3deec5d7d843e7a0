"""The WebSocket hub: native protocol and Pusher protocol 7, channel auth, Redis fan-out."""
