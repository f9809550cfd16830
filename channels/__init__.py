"""Custom input channels, loaded by the Rasa server from credentials.yml.

Importing this package also prepares the server (it always loads a channel from here, so all of
this is in place before the first message): the cached schema check (speedups), no message text
in any log (privacy.logs) and what a message goes through before it is understood (inbound:
repaired, cut, typed commands read as text, understood off the event loop).
"""

from channels import inbound, speedups
from privacy import logs

logs.install_record_factory()
logs.install_structlog_redaction()
speedups.apply()
inbound.apply()
