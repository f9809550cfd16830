"""Custom input channels, loaded by the Rasa server from credentials.yml.

Importing this package also applies channels.speedups and channels.availability (the server
always loads a channel from here, so both are in place before the first message).
"""

from channels import availability, speedups

speedups.apply()
availability.apply()
