"""Messaging platforms for the triage assistant: Telegram, Slack, Facebook Messenger, Twilio SMS/WhatsApp.

Each platform module (telegram, slack, facebook, twilio) holds one input channel for
credentials.yml (``channels.platforms.<module>.<Class>``) and its output channel, as a small spec
of one skeleton (base.py): how a request is checked, what it carries, how text, buttons and the
emergency call are sent. The rest is shared: settings.py (env-var settings), api.py (the retrying
HTTP client), answers.py (button tokens and numbered answers), text.py with notes.yml (the words
the channels say themselves). What they change from Rasa's own channels of the same name:

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
  messages carry the same content. The emergency outcome's number (``custom.triage.call``) is
  offered one tap away where the platform has a call button (Messenger), or on a line of its own
  (Telegram, whose buttons cannot open tel: links).
* Conversations are namespaced per platform (sender id ``telegram:<chat id>``, ``slack:<user>``,
  ``facebook:<PSID>``, ``twilio:<From>``), so ids of two platforms never share a tracker.
* Telegram and Slack answer direct/private chats only. Pictures, voice notes and stickers get a
  short note that only text is read; a Telegram edit asks for the correction as a new message.
* Message text is never logged (health data); logs name the platform, API call and status only.
* Platform API calls go out through one aiohttp session per channel, retried by aiohttp-retry
  (Slack: slack_sdk's AsyncWebClient); Rasa's Twilio and Facebook channels use blocking HTTP
  clients inside the event loop. Webhooks are answered at once while the message is handled in
  the background (Slack wants an answer within 3 s). Tokens travel in headers (Messenger's too),
  except Telegram's, which the Bot API puts in the URL path.
"""
