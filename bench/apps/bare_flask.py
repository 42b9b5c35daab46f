"""Baseline: Flask answering 'success' to every POST /wechat, with no WeChat work at all."""

from flask import Flask

app = Flask(__name__)


@app.post("/wechat")
def wechat() -> str:
    return "success"


@app.get("/healthz")
def healthz() -> dict:
    return {"ok": True}
