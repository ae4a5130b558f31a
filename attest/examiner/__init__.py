"""Examiner scoring: blind double marking, adjudication, examiner quality and re-marks."""
