"""The yardstick of benchmarks/bench_verify.py: a bare Flask app that answers one small JSON
document, served by the same gunicorn settings as Attest (`gunicorn bare_flask:app`)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return {"status": "ok"}
