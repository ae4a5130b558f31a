"""Admin pages: kiosks, staff accounts."""
