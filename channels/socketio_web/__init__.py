"""The pieces of the web widget's socket.io channel (channels/secure_socketio.py), one concern each:
the origin allow-list, signed session tokens, the output that keeps text and payloads apart, the
engine.io route that ends a websocket cleanly, and the widget's static files."""
