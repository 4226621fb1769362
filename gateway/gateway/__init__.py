"""The HTTP gateway: authenticates callers, validates requests, calls services over RPC."""
