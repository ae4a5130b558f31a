"""Proctor pages: register candidates, start sessions, see results, issue attestations."""
