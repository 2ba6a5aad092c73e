"""One made-up secret per rule, in the real format (prefix, alphabet, length) its issuer uses.

Values come from a seeded generator, so they have the entropy of real tokens and are the same on
every run; none of them was ever a live credential. ``SAMPLES[rule] = (text, secret)``: the text a
responder might type, and the part of it that must never be stored or sent.
"""

from __future__ import annotations

import random
import string

UPPER, LOWER, DIGITS = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
_rng = random.Random(20261130)  # test data, not crypto


def rnd(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _uuid() -> str:
    return f"{rnd(HEX, 8)}-{rnd(HEX, 4)}-{rnd(HEX, 4)}-{rnd(HEX, 4)}-{rnd(HEX, 12)}"


def _pem(label: str, end: bool = True) -> str:
    body = "\n".join(rnd(ALNUM + "+/", 64) for _ in range(4))
    tail = f"\n-----END {label}-----" if end else ""
    return f"-----BEGIN {label}-----\n{body}{tail}"


JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    + "eyJzdWIiOiJhbGljZSIsImlhdCI6MTc2NDQ2NDAwMH0"
    + "."
    + rnd(ALNUM + "_-", 43)
)
AWS_SECRET = rnd(ALNUM + "/+", 40)
NPM_40 = "npm_" + rnd(ALNUM, 40)  # 40 characters after the prefix: gitleaks' {36} rule misses it
GHP = "ghp_" + rnd(ALNUM, 36)


def _tok(secret: str) -> tuple[str, str]:
    return f"found {secret} in the log", secret


SAMPLES: dict[str, tuple[str, str]] = {
    "age-secret-key": _tok("AGE-SECRET-KEY-1" + rnd("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
    "anthropic-admin-api-key": _tok("sk-ant-admin01-" + rnd(ALNUM + "_-", 93) + "AA"),
    "anthropic-api-key": _tok("sk-ant-api03-" + rnd(ALNUM + "_-", 93) + "AA"),
    "artifactory-api-key": _tok("AKCp" + rnd(ALNUM, 69)),
    "aws-access-token": _tok("AKIA" + rnd(UPPER + "234567", 16)),
    "azure-ad-client-secret": _tok(rnd(ALNUM, 3) + "8Q~" + rnd(ALNUM + "_~.-", 32)),
    "databricks-api-token": _tok("dapi" + rnd(HEX, 32)),
    "digitalocean-pat": _tok("dop_v1_" + rnd(HEX, 64)),
    "doppler-api-token": _tok("dp.pt." + rnd(LOWER + DIGITS, 43)),
    "dynatrace-api-token": _tok(
        "dt0c01." + rnd(UPPER + DIGITS, 24) + "." + rnd(UPPER + DIGITS, 64)
    ),
    "gcp-api-key": _tok("AIza" + rnd(ALNUM + "_-", 35)),
    "github-app-token": _tok("ghs_" + rnd(ALNUM, 36)),
    "github-fine-grained-pat": _tok("github_pat_" + rnd(ALNUM + "_", 82)),
    "github-oauth": _tok("gho_" + rnd(ALNUM, 36)),
    "github-pat": _tok(GHP),
    "github-refresh-token": _tok("ghr_" + rnd(ALNUM, 36)),
    "gitlab-cicd-job-token": _tok("glcbt-" + rnd(ALNUM, 5) + "_" + rnd(ALNUM, 20)),
    "gitlab-deploy-token": _tok("gldt-" + rnd(ALNUM, 20)),
    "gitlab-pat": _tok("glpat-" + rnd(ALNUM, 20)),
    "gitlab-pat-routable": _tok("glpat-" + rnd(ALNUM, 27) + ".01" + rnd(LOWER + DIGITS, 7)),
    "gitlab-ptt": _tok("glptt-" + rnd(HEX, 40)),
    "gitlab-rrt": _tok("GR1348941" + rnd(ALNUM, 20)),
    "gitlab-runner-authentication-token": _tok("glrt-" + rnd(ALNUM, 20)),
    "grafana-cloud-api-token": _tok("glc_" + rnd(ALNUM, 40)),
    "grafana-service-account-token": _tok("glsa_" + rnd(ALNUM, 32) + "_" + rnd(HEX, 8)),
    "hashicorp-tf-api-token": _tok(rnd(LOWER + DIGITS, 14) + ".atlasv1." + rnd(LOWER + DIGITS, 64)),
    "heroku-api-key-v2": _tok("HRKU-AA" + rnd(ALNUM + "_-", 58)),
    "huggingface-access-token": _tok("hf_" + rnd(UPPER + LOWER, 34)),
    "jwt": _tok(JWT),
    "linear-api-key": _tok("lin_api_" + rnd(ALNUM, 40)),
    "microsoft-teams-webhook": _tok(
        f"https://acme.webhook.office.com/webhookb2/{_uuid()}@{_uuid()}"
        f"/IncomingWebhook/{rnd(HEX, 32)}/{_uuid()}"
    ),
    "npm-access-token": _tok("npm_" + rnd(ALNUM, 36)),
    "openai-api-key": _tok("sk-proj-" + rnd(ALNUM + "_-", 74) + "T3BlbkFJ" + rnd(ALNUM + "_-", 74)),
    "planetscale-password": _tok("pscale_pw_" + rnd(ALNUM, 43)),
    "postman-api-token": _tok("PMAK-" + rnd(HEX, 24) + "-" + rnd(HEX, 34)),
    "private-key": (f"key:\n{_pem('RSA PRIVATE KEY')}\nend", ""),
    "pulumi-api-token": _tok("pul-" + rnd(HEX, 40)),
    "pypi-upload-token": _tok("pypi-AgEIcHlwaS5vcmc" + rnd(ALNUM + "_-", 70)),
    "rubygems-api-token": _tok("rubygems_" + rnd(HEX, 48)),
    "sendgrid-api-token": _tok("SG." + rnd(ALNUM + "_-", 22) + "." + rnd(ALNUM + "_-", 43)),
    "sentry-user-token": _tok("sntryu_" + rnd(HEX, 64)),
    "shopify-access-token": _tok("shpat_" + rnd(HEX, 32)),
    "slack-app-token": _tok(
        "xapp-1-A" + rnd(UPPER + DIGITS, 10) + "-" + rnd(DIGITS, 13) + "-" + rnd(HEX, 64)
    ),
    "slack-bot-token": _tok(
        "xoxb-" + rnd(DIGITS, 12) + "-" + rnd(DIGITS, 13) + "-" + rnd(ALNUM, 24)
    ),
    "slack-user-token": _tok(
        "xoxp-"
        + rnd(DIGITS, 12)
        + "-"
        + rnd(DIGITS, 12)
        + "-"
        + rnd(DIGITS, 13)
        + "-"
        + rnd(HEX, 32)
    ),
    "slack-webhook-url": _tok(
        "https://hooks.slack.com/services/T"
        + rnd(UPPER + DIGITS, 8)
        + "/B"
        + rnd(UPPER + DIGITS, 10)
        + "/"
        + rnd(ALNUM, 24)
    ),
    "square-access-token": _tok("sq0atp-" + rnd(ALNUM + "_-", 22)),
    "stripe-access-token": _tok("sk_live_" + rnd(ALNUM, 24)),
    "twilio-api-key": _tok("SK" + rnd(HEX, 32)),
    "vault-batch-token": _tok("hvb." + rnd(ALNUM + "_-", 150)),
    "vault-service-token": _tok("hvs." + rnd(ALNUM + "_-", 95)),
    # irbook's own rules
    "keyword-value": ("db password=Tr0ub4dor&3 for the replica", "Tr0ub4dor&3"),
    "url-credentials": (
        "DATABASE_URL was postgresql://alice:Sup3rS3cretPw@db.internal/irbook",
        "Sup3rS3cretPw",
    ),
    "authorization-header": (
        "curl -H 'Authorization: Basic YWxpY2U6c2VjcmV0cGFzcw==' https://registry.example",
        "YWxpY2U6c2VjcmV0cGFzcw==",
    ),
    "aws-secret-access-key": (f"AWS secret access key: {AWS_SECRET}", AWS_SECRET),
    "azure-sas-signature": (
        "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&sig="
        + (sig := rnd(ALNUM, 40) + "%3D"),
        sig,
    ),
    "token-prefix-npm": (f"the leaked token was {NPM_40}.", NPM_40),
    "token-prefix-github": (f"(see {GHP}X)", GHP + "X"),
    "token-prefix-gitlab": (f"token {(gl := 'glpat-' + rnd(ALNUM, 26))}.", gl),
    "token-prefix-pypi": (f"{(pp := 'pypi-' + rnd(ALNUM, 60))}.", pp),
    "token-prefix-slack": (f"{(sl := 'xoxs-' + rnd(ALNUM, 30))}.", sl),
    "token-prefix-stripe": (f"key {(st := 'rk_live_' + rnd(ALNUM, 24))}.", st),
    "token-prefix-gcp": (f"key={(gk := 'AIza' + 'a' * 35)}.", gk),  # low entropy: gitleaks skips it
    "token-prefix-aws": (f"id AKIA{(ak := rnd(UPPER + '01', 16))}x", "AKIA" + ak),
    "jwt-any": (f"session cookie {JWT}.", JWT),
    "private-key-block": (
        (truncated := _pem("OPENSSH PRIVATE KEY", end=False)),
        truncated.splitlines()[1],
    ),
}
_key_text = SAMPLES["private-key"][0]
SAMPLES["private-key"] = (_key_text, _key_text.splitlines()[2])

# The formats the issue names, in the shapes a responder pastes them (the done-means test types
# each of these into every entry point).
AZURE_KEY = rnd(ALNUM + "+/", 86) + "=="
ISSUE_SECRETS: dict[str, str] = {
    "aws access key id": SAMPLES["aws-access-token"][1],
    "aws secret access key": AWS_SECRET,
    "jwt": JWT,
    "azure AccountKey": AZURE_KEY,
    "gcp api key": SAMPLES["gcp-api-key"][1],
    "slack webhook": SAMPLES["slack-webhook-url"][1],
    "stripe": SAMPLES["stripe-access-token"][1],
    "password": "Tr0ub4dor&3",
    "npm 40": NPM_40,
    "ghp": GHP,
    "private key": SAMPLES["private-key"][1],
    "pypi": SAMPLES["pypi-upload-token"][1],
    "gitlab": SAMPLES["gitlab-pat"][1],
}


def typed(secret_name: str) -> str:
    """How a responder types the issue's secret ``secret_name`` into free text."""
    secret = ISSUE_SECRETS[secret_name]
    if secret_name == "aws secret access key":
        return f"aws_secret_access_key = {secret}"
    if secret_name == "azure AccountKey":
        return (
            "DefaultEndpointsProtocol=https;AccountName=acme;"
            f"AccountKey={secret};EndpointSuffix=core.windows.net"
        )
    if secret_name == "password":
        return f"password={secret}"
    if secret_name == "ghp":
        return secret[:2] + "\u200b" + secret[2:]  # split by a zero-width space
    if secret_name == "private key":
        return SAMPLES["private-key"][0]
    return secret
