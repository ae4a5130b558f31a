"""Settings: defaults < instance/attest.cfg < environment < overrides; secret kept in instance."""

from attest.config import load_config


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
