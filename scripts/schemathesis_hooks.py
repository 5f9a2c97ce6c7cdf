"""What a real client of TechMarket does that the OpenAPI document cannot say, applied by
scripts/schemathesis to the cases schemathesis sends.

- A new request gets a new Idempotency-Key (a reused key with another body is rightly 422).
- In positive cases only: a `cursor` is a token the client got from an earlier page, so none is
  made up; a credit code carries its GB 32100-2015 check character and a patent number its check
  digit (the document names both, JSON Schema cannot compute them); a listing's `field` names a
  field of the taxonomy (GET /v1/fields); an If-Match is a quoted version (schemathesis 4.32
  sends values outside the header's pattern in its coverage phase).
"""

import re
import uuid

import schemathesis
from schemathesis.generation import GenerationMode

CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
KNOWN_FIELD = "geographic_information"
PATENT_WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
PATENT_NUMBER = re.compile(r"^(CN|ZL)[0-9]{12}\.[0-9X]$")
IF_MATCH = re.compile(r'^(W/)?("[1-9][0-9]{0,17}"|[1-9][0-9]{0,17})$')


def with_check_character(code):
    """The credit code with its 18th character computed from the first 17."""
    if not isinstance(code, str) or len(code) != 18 or any(c not in CREDIT_CODE_CHARACTERS for c in code):
        return code
    total = sum(CREDIT_CODE_CHARACTERS.index(c) * w for c, w in zip(code[:17], CREDIT_CODE_WEIGHTS))
    return code[:17] + CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]


def with_patent_check(number):
    """The patent number with its check character computed from its 12 digits (mod 11, 10 is X)."""
    if not isinstance(number, str) or not PATENT_NUMBER.match(number):
        return number
    check = sum(int(c) * w for c, w in zip(number[2:14], PATENT_WEIGHTS)) % 11
    return number[:15] + ("X" if check == 10 else str(check))


@schemathesis.hook
def before_call(ctx, case, kwargs):
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    headers = case.headers
    if isinstance(headers, dict):
        for name in list(headers):
            # A negative case may have made the key itself invalid; that one is left as it is.
            if name.lower() == "idempotency-key" and (positive or re.fullmatch(r"[!-~]{1,100}", str(headers[name]))):
                headers[name] = str(uuid.uuid4())
            if positive and name.lower() == "if-match" and not IF_MATCH.match(str(headers[name])):
                headers[name] = '"1"'
    # A lot's live stream runs until the lot closes (or an hour): read it on a lot that does not
    # exist, so that a lot the run made does not hold the run (AuctionsAPITests read the streams).
    if case.operation.path == "/v1/lots/{id}/events" and isinstance(case.path_parameters, dict):
        case.path_parameters["id"] = 4_000_000_000_000_000
    if not positive:
        return
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)
    body = case.body
    if isinstance(body, dict):
        if "creditCode" in body:
            body["creditCode"] = with_check_character(body["creditCode"])
        if "field" in body and case.operation.path.startswith("/v1/listings"):
            body["field"] = KNOWN_FIELD
        for asset in body.get("ipAssets") or []:
            if isinstance(asset, dict) and asset.get("kind") == "patent":
                asset["number"] = with_patent_check(asset.get("number"))
