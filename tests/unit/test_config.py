"""Settings: defaults < instance/attest.cfg < environment < overrides; secret kept in instance."""

import pytest

from attest.config import ConfigError, load_config


def test_precedence_and_instance_secret(tmp_path, monkeypatch):
    (tmp_path / "attest.cfg").write_text(
        'PUBLIC_URL = "https://from-file.example"\nISSUER_NAME = "Bestand"\n'
    )
    monkeypatch.setenv("ATTEST_PUBLIC_URL", "https://from-env.example")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/attest")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = load_config(tmp_path, {"ISSUER_NAME": "Override"})
    assert config["PUBLIC_URL"] == "https://from-env.example"
    assert config["ISSUER_NAME"] == "Override"
    assert config["DATABASE_URL"] == "postgresql://db/attest"
    secret = config["SECRET_KEY"]
    assert len(secret) >= 40 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert load_config(tmp_path)["SECRET_KEY"] == secret  # stable across restarts


def test_defaults_use_the_instance_folder(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "ATTEST_PUBLIC_URL", "ATTEST_STORAGE_DIR", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATTEST_SESSION_COOKIE_SECURE", "true")
    config = load_config(tmp_path)
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'attest.sqlite3'}"
    assert config["STORAGE_DIR"] == str(tmp_path / "storage")
    assert config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("variable", "text", "setting", "value"),
    [
        ("ATTEST_SESSION_MAX_HOURS", "0.5", "SESSION_MAX_HOURS", 0.5),
        ("ATTEST_SESSION_IDLE_MINUTES", " 45 ", "SESSION_IDLE_MINUTES", 45.0),
        ("ATTEST_ISSUER_NAME", "2024", "ISSUER_NAME", "2024"),
        ("ATTEST_SESSION_COOKIE_SECURE", "off", "SESSION_COOKIE_SECURE", False),
        ("ATTEST_TRUSTED_PROXIES", "1", "TRUSTED_PROXIES", 1),
        ("ATTEST_TOTP_REQUIRED_ROLES", "admin, Proctor", "TOTP_REQUIRED_ROLES", ("admin", "proctor")),  # noqa: E501
        ("ATTEST_REDIS_URL", "", "REDIS_URL", None),
    ],
)  # fmt: skip
def test_settings_from_the_environment_get_their_type(
    tmp_path, monkeypatch, variable, text, setting, value
):
    monkeypatch.setenv(variable, text)
    config = load_config(tmp_path)
    assert config[setting] == value and type(config[setting]) is type(value)


@pytest.mark.parametrize(
    ("variable", "text"),
    [
        ("ATTEST_SESSION_MAX_HOURS", "0.5h"),
        ("ATTEST_SESSION_MAX_HOURS", "0"),
        ("ATTEST_SESSION_IDLE_MINUTES", "-5"),
        ("ATTEST_SESSION_IDLE_MINUTES", "nan"),
        ("ATTEST_SESSION_COOKIE_SECURE", "maybe"),
        ("ATTEST_VERIFY_LIMIT_CODE", "ten per hour"),
        ("ATTEST_PUBLIC_URL", "attest.example"),
        ("ATTEST_REDIS_URL", "localhost:6379"),
        ("ATTEST_LOG_FORMAT", "xml"),
        ("ATTEST_TOTP_REQUIRED_ROLES", "admin,root"),
        ("ATTEST_TRUSTED_PROXIES", "yes"),
        ("ATTEST_RETENTION_RESPONSES_DAYS", "1.5"),
        ("ATTEST_KIOSK_HEARTBEAT_TIMEOUT_SECONDS", "5"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(tmp_path, monkeypatch, variable, text):
    monkeypatch.setenv(variable, text)
    with pytest.raises(ConfigError, match=variable):
        load_config(tmp_path)


def test_a_bad_value_in_the_instance_file_names_the_file(tmp_path):
    (tmp_path / "attest.cfg").write_text("SESSION_IDLE_MINUTES = 'half an hour'\n")
    with pytest.raises(ConfigError, match="SESSION_IDLE_MINUTES in .*attest.cfg"):
        load_config(tmp_path)


def test_the_roles_a_setting_may_name_are_the_models_roles_and_authors_need_totp(tmp_path):
    """settings_types is pure, so it lists the roles itself: it must not drift from Role. By
    default every role that changes scores, cut scores or live content needs a second step."""
    from attest.models import Role
    from attest.settings_types import ROLES

    assert sorted(ROLES) == sorted(role.value for role in Role)
    required = load_config(tmp_path)["TOTP_REQUIRED_ROLES"]
    assert set(required) == {"admin", "examiner", "panellist", "author"}
