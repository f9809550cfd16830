"""Custom input channels, loaded by the Rasa server from credentials.yml.

Importing this package also applies channels.speedups (the server always loads a channel from
here, so the fix is in place before the first message).
"""

from channels import speedups

speedups.apply()
