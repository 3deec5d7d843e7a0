"""Live shows: sessions, studio perks, chat, banners, video-chat requests, RTC tokens."""
