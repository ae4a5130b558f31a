"""The OpenAPI 3.1 document of the public verification API and the partner API.

Pure module: a function of the public base URL and the requirement profiles."""

from __future__ import annotations

from attest import public_urls as urls
from attest.certificates.requirements import profile_codes
from attest.vocabulary import RESULT_LEVELS, SKILLS

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
_LEVEL = {"type": ["string", "null"], "enum": [*RESULT_LEVELS, None]}
_DATE = {"type": "string", "format": "date"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _schemas(profiles: list[str]) -> dict:
    levels = {
        "type": "object",
        "properties": {s: _LEVEL for s in SKILLS},
    }
    return {
        "Error": _ERROR,
        "VerifyRequest": {
            "type": "object",
            "required": ["code", "birth_date"],
            "properties": {
                "code": {
                    "type": "string",
                    "maxLength": 64,
                    "description": "ATT-XXXX-XXXX-XXXX-XXXX-XXXX (Crockford Base32, last "
                    "symbol a check); case, spaces and dashes do not matter",
                },
                "birth_date": {**_DATE, "description": "the holder's birth date"},
                "profile": {"type": "string", "enum": profiles},
                "lease_start": {
                    **_DATE,
                    "description": "start of the lease: decides the social-housing rule",
                },
            },
        },
        "Verification": {
            "type": "object",
            "required": ["status", "valid", "attestation"],
            "properties": {
                "status": {
                    "type": "string",
                    "enum": ["valid", "revoked", "superseded", "key_compromised", "not_found"],
                },
                "valid": {"type": "boolean"},
                "attestation": {
                    "type": ["object", "null"],
                    "properties": {
                        "code": {"type": "string"},
                        "issuer": {"type": "string"},
                        "centre": {"type": "string"},
                        "family_name": {"type": "string"},
                        "given_names": {"type": "string"},
                        "birth_date": _DATE,
                        "test_date": _DATE,
                        "issued_at": {"type": "string", "format": "date-time"},
                        "levels": levels,
                        "profiles": {"type": "array", "items": {"type": "object"}},
                        "is_demo": {"type": "boolean"},
                    },
                },
                "revocation": {
                    "type": "object",
                    "properties": {
                        "revoked_at": {"type": "string", "format": "date-time"},
                        "reason": {
                            "type": ["string", "null"],
                            "enum": ["fraud", "error", "withdrawn", None],
                        },
                        "note": {"type": ["string", "null"]},
                    },
                },
                "superseded_by": {"type": ["string", "null"]},
                "requirement": {
                    "type": ["object", "null"],
                    "properties": {
                        "profile": {"type": "string"},
                        "title": {"type": "string"},
                        "outcome": {
                            "type": "string",
                            "description": "meets, not_met, conditional, "
                            "interaction_unconfirmed, reaches, does_not_reach (indications), "
                            "no_level, needs_lease_start, no_rule",
                        },
                        "meets": {"type": "boolean"},
                        "indication_only": {"type": "boolean"},
                        "decided_by": {"type": ["string", "null"]},
                        "deciding_date": {"type": ["string", "null"], "format": "date"},
                        "deadline": {"type": ["string", "null"], "format": "date"},
                        "rule": {"type": ["object", "null"]},
                        "shortfalls": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
        },
        "PartnerCheck": {
            "type": "object",
            "required": ["insz", "profile", "purpose"],
            "properties": {
                "insz": {
                    "type": "string",
                    "format": "insz",
                    "minLength": 11,
                    "maxLength": 20,
                    "description": "Belgian national register number: 11 digits with a "
                    "mod-97 check; the separators of 85.07.30-033.28 are allowed",
                    "example": "85.07.30-033.28",
                },
                "profile": {"type": "string", "enum": profiles},
                "purpose": {"type": "string", "minLength": 1, "maxLength": 200},
                "lease_start": {
                    **_DATE,
                    "description": "start of the lease; required for sociale-huur",
                },
            },
        },
        "PartnerAnswer": {
            "type": "object",
            "required": ["meets", "profile", "attestation"],
            "properties": {
                "meets": {"type": "boolean"},
                "profile": {"type": "string"},
                "attestation": {
                    "type": ["object", "null"],
                    "properties": {
                        "code": {"type": "string"},
                        "test_date": _DATE,
                        "demo": {"type": "boolean"},
                        "photo": {
                            "type": "object",
                            "description": "the holder's test-day photo; only for an "
                            "organisation whose agreement allows it (each such lookup is audited)",
                            "required": ["content_type", "data"],
                            "properties": {
                                "content_type": {"type": "string", "enum": ["image/jpeg"]},
                                "data": {"type": "string", "format": "byte"},
                            },
                        },
                    },
                },
            },
        },
    }


def openapi_document(public_url: str) -> dict:
    """Return the OpenAPI document (served at public_urls.API_OPENAPI)."""
    profiles = [code for code, _title in profile_codes()]
    limited = _json({"$ref": "#/components/schemas/Error"}, "too many requests (rate limit)")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Attest verification and partner API",
            "version": "1.0.0",
            "description": "Verify NT2 attestations and check requirement profiles. "
            "Offline verification: docs/payload-format.md.",
        },
        "servers": [{"url": urls.base_url(public_url)}],
        "paths": {
            urls.API_VERIFY: {
                "post": {
                    "operationId": "verifyAttestation",
                    "summary": "Verify a typed attestation code together with the birth date",
                    "description": "Every failure (unknown code, wrong birth date, a code or "
                    "date that is not well-formed) gives the same 404 answer. A call of the wrong "
                    "form (not a JSON object, code or birth_date missing or not text, an unknown "
                    "profile) gets a 400 naming the problem. Rate limited per client and per code.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/VerifyRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Verification"}, "found"),
                        "400": _json(
                            {"$ref": "#/components/schemas/Error"},
                            "not a JSON object, code or birth_date missing or not text, or an "
                            "unknown profile",
                        ),
                        "404": _json(
                            {"$ref": "#/components/schemas/Verification"}, "no such attestation"
                        ),
                        "429": limited,
                    },
                }
            },
            urls.API_PROFILES: {
                "get": {
                    "operationId": "listProfiles",
                    "summary": "List the requirement profiles",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "profiles": {"type": "array", "items": {"type": "object"}}
                                },
                            },
                            "the profiles",
                        )
                    },
                }
            },
            urls.PARTNER_CHECKS: {
                "post": {
                    "operationId": "partnerCheck",
                    "summary": "Does a valid attestation of this person meet the profile?",
                    "description": "For organisations with an API key. Every lookup is logged "
                    "with the organisation and the stated purpose.",
                    "security": [{"partnerKey": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/PartnerCheck"}
                            }
                        },
                    },
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/PartnerAnswer"}, "answer"),
                        "400": _json({"$ref": "#/components/schemas/Error"}, "bad request"),
                        "401": _json({"$ref": "#/components/schemas/Error"}, "no or bad key"),
                        "403": _json({"$ref": "#/components/schemas/Error"}, "profile not allowed"),
                        "429": limited,
                    },
                }
            },
            urls.JWKS: {
                "get": {
                    "operationId": "jwks",
                    "summary": "Issuing keys with certificate chains, retired/compromised dates",
                    "responses": {"200": _json({"type": "object"}, "JWKS")},
                }
            },
            urls.STATUS_LIST: {
                "get": {
                    "operationId": "statusList",
                    "summary": "Signed status list (CWT, 2 bits per attestation)",
                    "responses": {
                        "200": {
                            "description": "COSE_Sign1 token",
                            "content": {"application/statuslist+cwt": {"schema": {}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": _schemas(profiles),
            "securitySchemes": {"partnerKey": {"type": "http", "scheme": "bearer"}},
        },
    }
