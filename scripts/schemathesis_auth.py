"""Schemathesis auth hook for the verification API (issue 22 item 5).

Every request schemathesis sends gets a token signed for it alone, as a company's server signs
one: a fresh `jti`, the current time, the grant's apId and isskey, the key of its uploaded
certificate. The token carries the query (`conditionMap`), so the query is what is generated:
mostly real people of the registry (their card, a mismatch, an unknown apply code), and one
call in five with a field replaced by arbitrary text. Signed with `huji api-token`, the
documented client, so no second implementation of the signing exists.

scripts/test.sh sets, before `st run` (SCHEMATHESIS_HOOKS=schemathesis_auth):
  HUJI_ST_HUJI     the huji binary
  HUJI_ST_GRANT    orgId,apId,isskey of the grant
  HUJI_ST_KEY      the private key of the grant's certificate (PEM)
  HUJI_ST_PEOPLE   a file of queries of real people, `personId,applyCode,applyYyymmdd,issueSiteId`
"""

import os
import random
import subprocess

import schemathesis

HUJI = os.environ["HUJI_ST_HUJI"]
ORG_ID, AP_ID, ISSKEY = os.environ["HUJI_ST_GRANT"].split(",")
KEY = os.environ["HUJI_ST_KEY"]
with open(os.environ["HUJI_ST_PEOPLE"], encoding="utf-8") as people:
    PEOPLE = [line.strip().split(",") for line in people if line.strip()]
FIELDS = ["--person-id", "--apply-code", "--apply-date", "--issue-site"]
# Seeded like `st run --seed 1`, so a run can be repeated.
DRAW = random.Random(1)
# Text a field may be replaced by: digits, letters, full-width and CJK characters, quotes,
# JSON's and the JWT's punctuation, spaces and control characters (NUL cannot be an argument).
ALPHABET = "AZaz0189０９中國 .,:;'\"\\/{}[]-_=+\t\n\x01\x7f\u202e"


def arbitrary():
    return "".join(DRAW.choice(ALPHABET) for _ in range(DRAW.randint(0, 16)))


def query():
    """A query: 60% a real card, 10% the same card issued elsewhere, 10% an apply code that
    does not exist, 20% one field arbitrary text."""
    fields = list(DRAW.choice(PEOPLE))
    roll = DRAW.random()
    if roll < 0.6:
        pass
    elif roll < 0.7:
        fields[3] = "65000" if fields[3] != "65000" else "63000"
    elif roll < 0.8:
        fields[1] = "9"
    else:
        fields[DRAW.randrange(4)] = arbitrary()
    return fields


@schemathesis.auth(refresh_interval=None)
class VerificationToken:
    """A new token for every request: each `jti` is accepted once."""

    def get(self, case, context):
        # `--flag=value`, so that a value starting with '-' is not read as a flag.
        arguments = [f"{flag}={value}" for flag, value in zip(FIELDS, query())]
        signed = subprocess.run(
            [HUJI, "api-token", f"--org-id={ORG_ID}", f"--ap-id={AP_ID}",
             f"--isskey={ISSKEY}", f"--key={KEY}", "--user-id=schemathesis", *arguments],
            capture_output=True, text=True, check=True,
        )
        return signed.stdout.strip()

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
