"""Messaging platforms for the triage assistant: Telegram, Slack, Facebook Messenger, Twilio SMS/WhatsApp.

Each module holds one input channel for credentials.yml (``channels.platforms.<module>.<Class>``),
a thin subclass of Rasa's own channel of the same name, and its output channel. What they change:

* Secrets come only from environment variables. credentials.yml names the *variables*
  (``access_token_env: TELEGRAM_ACCESS_TOKEN``), never holds a value; Rasa's own ``${VAR}``
  substitution would crash the server on an unset variable. A channel whose required variables
  are unset is off: one log line says so and its webhook routes do not exist.
* Every platform API base URL can be set through the environment (TELEGRAM_API_URL,
  SLACK_API_URL, FACEBOOK_GRAPH_URL, TWILIO_API_URL), so tests point them at local fakes.
* Webhooks are authenticated where the platform signs them (Slack v0 HMAC-SHA256, Facebook
  X-Hub-Signature-256, Twilio X-Twilio-Signature, Telegram's secret-token header); a request that
  fails the check is refused with 403 and never reaches the assistant.
* Buttons degrade per platform: Telegram inline keyboards, Slack Block Kit buttons, Facebook
  quick replies (max 13, titles <= 20 characters), numbered options on SMS/WhatsApp. A bare
  number answers the numbered options; the options are read from the tracker store (the last
  bot turn), so any replica behind a shared tracker store resolves them.
* ``custom`` payloads (the triage and summary data) are never sent to patients: the text
  messages carry the same content.
* Conversations are namespaced per platform (sender id ``telegram:<chat id>``, ``slack:<user>``,
  ``facebook:<PSID>``, ``twilio:<From>``), so ids of two platforms never share a tracker.
* Telegram and Slack answer direct/private chats only. Pictures, voice notes and stickers get a
  short note that only text is read; a Telegram edit asks for the correction as a new message.
* Message text is never logged (health data); logs name the platform, API call and status only.
* Platform API calls go out through one aiohttp session per channel (Rasa's Twilio and Facebook
  channels use blocking HTTP clients inside the event loop), and webhooks are answered at once
  while the message is handled in the background (Slack wants an answer within 3 s).
"""
