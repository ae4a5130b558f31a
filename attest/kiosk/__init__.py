"""The kiosk: the pages and JSON calls a candidate's browser uses during a test."""
