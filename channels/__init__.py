"""Custom input channels, loaded by the Rasa server from credentials.yml.

Importing this package also prepares the server (it always loads a channel from here, so all of
this is in place before the first message): the cached schema check (speedups), live trackers in
the in-memory store (live_store), no message text in any log (privacy.logs), what a message goes
through before it is understood (inbound: repaired, cut, typed commands read as text, understood
off the event loop) and a patient's conversation deleted on request, store errors logged without
data (stores); and a message no replica could answer is a 503, never an empty 200 (availability).
"""

import logging

from channels import availability, inbound, live_store, speedups, stores
from privacy import logs

# In the server our loggers follow the level Rasa's command line set (--debug / --verbose): while
# the model loads, numpy's distutils shim sets the root logger to WARNING, which would otherwise
# silence their INFO and DEBUG lines.
if logging.getLogger("rasa").level:
    for _name in ("channels", "nlp"):
        logging.getLogger(_name).setLevel(logging.getLogger("rasa").level)
logs.install_record_factory()
logs.install_structlog_redaction()
speedups.apply()
live_store.apply()
inbound.apply()
stores.apply()
availability.apply()
