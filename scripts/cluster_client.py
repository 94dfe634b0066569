"""The clients of scripts/cluster-test.sh (issue 22 item 2), standard library only. Each talks
to the portal only through the load balancer at LB, so that consecutive requests land on
different servers; each exits non-zero, naming what went wrong, when a rule did not hold
across the servers.

  cluster_client.py guesses LB TOKENS
      TOKENS: one pre-signed verification call a line as `personId,token`, each a wrong
      guess. All are sent at once. A-N6: for each person exactly three comparisons fail
      (answered 2, 3 or 4) and every other guess is answered 5, without being compared.
  cluster_client.py replays LB TOKENS
      Each token (one a line) is sent twice at the same moment: exactly one of the two is
      answered (RS7009) and the other is refused as used (HJ4004).
  cluster_client.py challenges LB ADDRESS COUNT LIMIT
      Draws COUNT sign-in challenges at once as the client ADDRESS (which the load balancer
      forwards): exactly LIMIT are given and the rest refused with 429. Exits 3 when the
      limit's window turned during the draw, so that the caller can draw again elsewhere.
  cluster_client.py sessions LB SERVERS HELPER READER PIN BUSINESS_ID SESSIONS COOKIES CASES
      Signs the company in SESSIONS times with its soft token in the card helper, as the
      page does; checks that each session is known to every one of SERVERS (their URLs,
      comma-separated, asked directly); then all sessions file a
      登錄資料修改 at once, each signed by the card: exactly one is received (A-6: one pending
      case per company) and every other is refused with WARNNING-02. Writes the session
      cookies to COOKIES and the received case's `id,number` to CASES.
  cluster_client.py reporter LB PEOPLE STOP OUT
      Each citizen of PEOPLE (`nationalId,name,birthDate,address,parentName` lines, the
      registry's facts as a citizen types them) reports their ID card lost and revokes the
      report (L4-1, L4-2), again and again, until STOP exists, reading each CAPTCHA from the
      database at DATABASE_URL as a person reads its picture. A request that died with its
      server is not sent again blindly: the citizen looks their reports up (查詢) and goes on
      from what is there. Writes each report as `nationalId,reference,how` to OUT, `how` being
      `told` (the answer named it) or `found` (a report whose answer was cut off, found by
      the look-up).
  cluster_client.py browse LB COOKIES COMPANY STOP OUT
      Views public pages, and once the file COOKIES holds the company's sessions its own page
      with each, until the file STOP exists; every view must answer 200 (the company's page
      naming COMPANY), whichever server is down. Writes the number of views to OUT.
"""

import base64
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

VERIFY = "/integration/rwv2c2/"
PAGES = ["/", "/api-service", "/certificate/status", "/id-card/loss"]
CONTACTS = ["王大明", "李小華", "陳志明", "林淑芬", "張家豪", "黃美玲", "吳建宏", "劉雅婷"]
COMPANY_PAGE = "/api-service/apply"
# What nginx answers when the server it chose died or is down: the request had no answer.
NO_ANSWER = (502, 503, 504)
CHALLENGE_WINDOW = 600


def connect(base):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def request(base, method, path, body=None, headers=None):
    """(status, headers, body text) of one request on a connection of its own."""
    connection = connect(base)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def verification(base, token):
    """(rdCode, checkIdCardApply) of one verification call."""
    status, _, body = request(base, "GET", VERIFY, headers={"Authorization": f"Bearer {token}"})
    try:
        answer = json.loads(body)
    except ValueError:
        return f"HTTP {status}", ""
    return answer.get("rdCode", ""), (answer.get("responseData") or {}).get("checkIdCardApply", "")


def in_threads(target, arguments):
    """Runs `target(*args)` for each args of `arguments`, each in a thread of its own, to the end."""
    threads = [threading.Thread(target=target, args=tuple(args)) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def at_once(calls):
    """Runs every callable in a thread of its own, released together: their results in order."""
    results = [None] * len(calls)
    gate = threading.Barrier(len(calls))

    def run(index):
        gate.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # a failure is a result the check names
            results[index] = error

    in_threads(run, [(n,) for n in range(len(calls))])
    return results


def write_rows(path, rows):
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(",".join(map(str, row)) + "\n" for row in rows)


def fail(problems, what):
    for problem in problems[:20]:
        print(f"{what}: {problem}", file=sys.stderr)
    sys.exit(1)


def guesses(base, tokens_file):
    with open(tokens_file, encoding="utf-8") as lines:
        calls = [line.strip().split(",", 1) for line in lines if line.strip()]
    answers = at_once([lambda token=token: verification(base, token) for _, token in calls])
    verdicts = {}
    problems = []
    for (person, _), answer in zip(calls, answers):
        if isinstance(answer, Exception) or answer[0] != "RS7009":
            problems.append(f"a guess about {person[:3]}… was answered {answer}")
            continue
        verdicts.setdefault(person, []).append(answer[1])
    for person, answered in verdicts.items():
        failed = sum(1 for verdict in answered if verdict in ("2", "3", "4"))
        locked = answered.count("5")
        if (failed, locked) != (3, len(answered) - 3):
            problems.append(f"{person[:3]}…: {failed} comparisons failed and {locked} were "
                            f"refused of {len(answered)} guesses ({sorted(answered)})")
    if problems:
        fail(problems, "A-N6")
    print(f"A-N6: {len(calls)} wrong guesses about {len(verdicts)} people at once: three "
          "comparisons failed for each, the others were answered 5")


def replays(base, tokens_file):
    with open(tokens_file, encoding="utf-8") as lines:
        tokens = [line.strip() for line in lines if line.strip()]
    calls = [lambda token=token: verification(base, token) for token in tokens for _ in (0, 1)]
    answers = at_once(calls)
    problems = []
    for index in range(len(tokens)):
        pair = answers[2 * index:2 * index + 2]
        codes = sorted(answer[0] if isinstance(answer, tuple) else repr(answer) for answer in pair)
        if codes != ["HJ4004", "RS7009"]:
            problems.append(f"token {index} sent twice at once was answered {codes}")
    if problems:
        fail(problems, "jti")
    print(f"jti: {len(tokens)} tokens each sent twice at once: each answered once, refused once")


def challenges(base, address, count, limit):
    window = lambda: int(time.time()) // CHALLENGE_WINDOW
    before = window()
    draw = lambda: request(base, "POST", "/api/card_sign_in_challenge", body=b"", headers={
        "X-Forwarded-For": address, "Origin": base,
        "Content-Type": "application/x-www-form-urlencoded"})[0]
    statuses = at_once([draw] * count)
    if window() != before:
        print("the limit's window turned during the draw", file=sys.stderr)
        sys.exit(3)
    given, refused = statuses.count(200), statuses.count(429)
    if (given, refused) != (limit, count - limit):
        fail([f"{given} given, {refused} refused, others {sorted(set(map(str, statuses)))}"],
             "rate limit")
    print(f"rate limit: {count} challenges drawn at once by one client: {given} given, "
          f"{refused} refused")


class Card:
    """The company's soft token in the card helper, as the page's script uses it."""

    def __init__(self, base, helper, reader, pin):
        self.base, self.helper, self.reader, self.pin = base, helper, reader, pin
        self.lock = threading.Lock()

    def sign(self, data):
        """(signature, certificate) in Base64: the card's signature of `data` for the portal."""
        body = json.dumps({"challenge_b64": base64.b64encode(data).decode(), "pin": self.pin,
                           "reader": self.reader})
        # One card signs one thing at a time, as a card in a reader does.
        with self.lock:
            status, _, text = request(self.helper, "POST", "/v1/sign", body=body.encode(), headers={
                "Origin": self.base, "Content-Type": "application/json"})
        if status != 200:
            raise RuntimeError(f"the card helper answered {status}: {text[:200]}")
        signed = json.loads(text)
        return signed["signature_b64"], signed["certificate_b64"]


def server_fn(base, name, fields=None, json_body=None, cookie=None):
    headers = {"Origin": base}
    if cookie:
        headers["Cookie"] = cookie
    if json_body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(json_body).encode()
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(fields or {}).encode()
    return request(base, "POST", f"/api/{name}", body=body, headers=headers)


def sign_in(base, card, business_id):
    """The `Cookie` header of a new session of the company."""
    status, _, challenge = server_fn(base, "card_sign_in_challenge")
    if status != 200:
        raise RuntimeError(f"no challenge: {status} {challenge[:200]}")
    challenge = json.loads(challenge)
    signature, certificate = card.sign(challenge.encode())
    status, headers, body = server_fn(base, "card_sign_in", fields={
        "kind": "Company", "business_id": business_id, "challenge": challenge,
        "certificate_b64": certificate, "signature_b64": signature})
    cookies = [value.split(";", 1)[0] for name, value in headers.items()
               if name.lower() == "set-cookie"]
    if status != 200 or not cookies:
        raise RuntimeError(f"sign-in answered {status}: {body[:200]}")
    return "; ".join(cookies)


def signed_form(base, card, cookie, form, kind):
    """The fields the page posts for a case of `kind`: `form`, the one-time token of the form
    the page was given and the card's signature of them; or the (status, body) refusing them."""
    status, _, body = server_fn(base, "api_service_state", cookie=cookie)
    if status != 200:
        return status, body
    posted = [[name, value] for name, value in form] + [["token", json.loads(body)["form_token"]]]
    status, _, body = server_fn(base, "api_case_statement", cookie=cookie,
                                json_body={"kind": kind, "posted": posted})
    if status != 200 or "Statement" not in body:
        return status, body
    statement = json.loads(body)["Statement"]
    signature, certificate = card.sign(statement["statement"].encode())
    return posted + [["card_challenge", statement["challenge"]], ["card_signature", signature],
                     ["card_certificate", certificate]]


def submit(base, cookie, kind, posted):
    """Posts a signed form: the server function's answer (status, body)."""
    status, _, body = server_fn(base, "api_service_submit", cookie=cookie,
                                json_body={"kind": kind, "posted": posted})
    return status, body


def sessions(base, servers, helper, reader, pin, business_id, count, cookies_file, cases_file):
    servers = servers.split(",")
    card = Card(base, helper, reader, pin)
    cookies = at_once([lambda: sign_in(base, card, business_id)] * count)
    problems = [f"sign-in {n}: {cookie}" for n, cookie in enumerate(cookies)
                if isinstance(cookie, Exception)]
    if problems:
        fail(problems, "sessions")
    # Each session, made through the balancer on whichever server it chose, asked of each
    # server directly (with the balancer's origin, as the browser's page has it).
    for n, cookie in enumerate(cookies):
        for server in servers:
            status, _, body = request(server, "POST", "/api/signed_in_party", body=b"", headers={
                "Origin": base, "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded"})
            if status != 200 or '"Company"' not in body:
                problems.append(f"session {n} was not known to {server}: {status} {body[:200]}")
    if problems:
        fail(problems, "sessions")
    with open(cookies_file + ".tmp", "w", encoding="utf-8") as out:
        out.writelines(f"{cookie}\n" for cookie in cookies)
    os.replace(cookies_file + ".tmp", cookies_file)  # the page views never read half of it
    # Each session's form signed first, as six people would each press 申請; then all six
    # are posted at the same moment.
    forms = [signed_form(base, card, cookie, [
        ("company_name", "蝦蝦樂購股份有限公司"), ("host_ip", "127.0.0.1"),
        ("contact", CONTACTS[n % len(CONTACTS)]), ("landline", "(02)3939889"),
        ("mobile", "0910123321"), ("email", f"contact{n}@example.com"),
        ("purpose", "依洗錢防制法第七條需查驗身分證，更換聯絡人"), ("agree", "yes")], "modify")
        for n, cookie in enumerate(cookies)]
    refused = [form for form in forms if isinstance(form, tuple)]
    if refused:
        fail([f"a form was refused before it was posted: {refused[0]}"], "A-6")
    answers = at_once([lambda cookie=cookie, posted=posted: submit(base, cookie, "modify", posted)
                       for cookie, posted in zip(cookies, forms)])
    received, refused = [], 0
    for n, answer in enumerate(answers):
        if isinstance(answer, Exception):
            problems.append(f"filing {n}: {answer}")
        elif answer[0] == 200 and '"Received"' in answer[1]:
            received.append(json.loads(answer[1])["Received"]["case"])
        elif "WARNNING-02" in answer[1]:
            refused += 1
        else:
            problems.append(f"filing {n} was answered {answer[0]}: {answer[1][:300]}")
    if len(received) != 1:
        problems.append(f"{len(received)} of {count} filings at once were received")
    if problems:
        fail(problems, "A-6")
    with open(cases_file, "w", encoding="utf-8") as out:
        out.write(f"{received[0]['id']},{received[0]['number']}\n")
    print(f"sessions: {count} sign-ins with the soft token, each known on every server; "
          f"{count} 登錄資料修改 at once: one received ({received[0]['number']}), "
          f"{refused} refused with WARNNING-02")


RESENT = [0]


def until_answered(call):
    """`call()`'s (status, body), sent again while the balancer answers 502 or nothing: a
    posted form is not repeated by nginx when the server it chose died with it."""
    for attempt in range(300):
        try:
            status, body = call()
        except OSError:
            status, body = None, ""
        if status is not None and status not in NO_ANSWER:
            RESENT[0] += attempt > 0
            return status, body
        time.sleep(0.1)
    raise RuntimeError("no answer in 300 tries")


def filer(base, helper, companies_file, stop, out):
    """Each company of COMPANIES (`businessId,name,reader,pin,hostIp` lines) files its API申請
    and cancels it (A-9), again and again, until STOP exists; a request that died with its
    server is sent again as it was (the filing with its one-time token). Writes each case
    received as `businessId,id,number` to OUT."""
    with open(companies_file, encoding="utf-8") as lines:
        companies = [line.strip().split(",") for line in lines if line.strip()]
    received, problems = [], []
    lock = threading.Lock()

    def company(business_id, name, reader, pin, host_ip):
        card = Card(base, helper, reader, pin)
        cookie = None
        while not os.path.exists(stop) and not problems:
            try:
                cookie = cookie or sign_in(base, card, business_id)
                form = [("company_name", name), ("host_ip", host_ip), ("contact", "王大明"),
                        ("landline", "(02)3939889"), ("mobile", "0910123321"),
                        ("email", f"apply-{business_id}@example.com"),
                        ("purpose", "依洗錢防制法第七條需查驗身分證"), ("agree", "yes")]
                posted = signed_form(base, card, cookie, form, "apply")
                if isinstance(posted, tuple) and posted[0] in NO_ANSWER:
                    raise RuntimeError("the form's server died")
                if isinstance(posted, tuple):
                    raise RuntimeError(f"filing answered {posted[0]}: {posted[1][:300]}")
                status, body = until_answered(lambda: submit(base, cookie, "apply", posted))
                if status != 200 or '"Received"' not in body:
                    raise RuntimeError(f"filing answered {status}: {body[:300]}")
                case = json.loads(body)["Received"]["case"]
                with lock:
                    received.append((business_id, case["id"], case["number"]))
                until_answered(lambda: server_fn(base, "api_service_progress", cookie=cookie,
                                                 json_body={"posted": [["action", "cancel"],
                                                                       ["case_id", case["id"]]]})[::2])
            except (RuntimeError, OSError, ValueError, KeyError) as error:
                # A sign-in or a challenge cut off by a dying server: sign in again.
                if "filing answered" in str(error):
                    with lock:
                        problems.append(f"{business_id}: {error}")
                cookie = None
                time.sleep(0.1)

    in_threads(company, companies)
    write_rows(out, received)
    filed = {business_id for business_id, _, _ in received}
    problems += [f"{fields[0]} filed nothing" for fields in companies if fields[0] not in filed]
    if problems:
        fail(problems, "filings")
    print(f"filings: {len(received)} API申請 received and cancelled by {len(companies)} "
          f"companies; {RESENT[0]} filings or cancellations sent again after their server died")


def captcha_answer(captcha_id):
    """The answer of a live CAPTCHA, from the portal's database (DATABASE_URL)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", captcha_id):
        raise RuntimeError(f"not a CAPTCHA id: {captcha_id!r}")
    url = os.environ["DATABASE_URL"]
    query = f"SELECT answer FROM captchas WHERE id = '{captcha_id}'"
    if url.startswith("postgres"):
        return subprocess.run(["psql", "-qAt", url, "-c", query], check=True, capture_output=True,
                              text=True).stdout.strip()
    path = urllib.parse.urlsplit(url).path
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as database:
        row = database.execute(query).fetchone()
    return row[0] if row else ""


class Citizen:
    """One citizen at the loss-report forms, each request from an address of its own (as
    citizens come from many), so that no client's limit on CAPTCHAs or failures is reached."""

    PASSWORD = "Qw12"

    def __init__(self, base, number, facts):
        self.base, self.number, self.requests = base, number, 0
        self.national_id, self.name, self.birth_date, self.address, self.parent = facts

    def post(self, path, body, content_type):
        """(status, body) of one request; (None, "") when no answer came (its server died)."""
        self.requests += 1
        address = f"10.22.{self.number}.{self.requests % 250 + 1}"
        headers = {"Origin": self.base, "Content-Type": content_type, "X-Forwarded-For": address}
        try:
            status, _, text = request(self.base, "POST", path, body=body, headers=headers)
        except TimeoutError:
            # A server that is slow, not dead, may still be doing it: not a cut.
            raise RuntimeError(f"{path} had no answer in 30 s") from None
        except (OSError, http.client.HTTPException):
            return None, ""
        return (None, "") if status in NO_ANSWER else (status, text)

    def form(self, operation):
        """`operation` (Report, Query or Revoke) posted with a fresh CAPTCHA: the outcome's
        JSON, or None when the request or the CAPTCHA's died with its server."""
        status, text = self.post("/api/captcha", b"", "application/x-www-form-urlencoded")
        if status is None:
            return None
        if status != 200:
            raise RuntimeError(f"no CAPTCHA: {status} {text[:200]}")
        captcha_id = json.loads(text)
        posted = [["national_id", self.national_id], ["name", self.name],
                  ["birth_date", self.birth_date], ["address", self.address],
                  ["phone", "0912345678"], ["email", f"loss-{self.number}@example.com"],
                  ["parent_name", self.parent], ["captcha_id", captcha_id],
                  ["captcha", captcha_answer(captcha_id)]]
        if operation != "Query":
            posted.append(["password", self.PASSWORD])
        body = json.dumps({"operation": operation, "posted": posted}).encode()
        status, text = self.post("/api/id_card_loss", body, "application/json")
        if status is None:
            return None
        if status != 200:
            raise RuntimeError(f"{operation} answered {status}: {text[:300]}")
        return json.loads(text)

    def open_report(self):
        """The reference of the open report, or None, as 查詢 shows them."""
        for _ in range(300):
            if (outcome := self.form("Query")) is not None:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("查詢 had no answer in 300 tries")
        if "Records" not in outcome:
            raise RuntimeError(f"查詢 answered {outcome}")
        open_reports = [record["reference"] for record in outcome["Records"]
                        if record["revoked_at"] is None]
        if len(open_reports) > 1:
            raise RuntimeError(f"{len(open_reports)} open reports of one card")
        return open_reports[0] if open_reports else None


def reporter(base, people_file, stop, out):
    with open(people_file, encoding="utf-8") as lines:
        people = [line.strip().split(",") for line in lines if line.strip()]
    reports, problems, cut = [], [], [0]
    lock = threading.Lock()

    def citizen(number, facts):
        person = Citizen(base, number, facts)
        reference = None  # the open report's
        try:
            while not problems:
                if reference is None:
                    if os.path.exists(stop):
                        return
                    outcome = person.form("Report")
                    if outcome is None:  # cut off: was it made?
                        with lock:
                            cut[0] += 1
                        reference, how = person.open_report(), "found"
                    elif "Reported" in outcome:
                        reference, how = outcome["Reported"]["reference"], "told"
                    else:
                        raise RuntimeError(f"掛失 answered {outcome}")
                    if reference:
                        with lock:
                            reports.append((person.national_id, reference, how))
                else:
                    outcome = person.form("Revoke")
                    if outcome is None:  # cut off: was it revoked?
                        with lock:
                            cut[0] += 1
                        still_open = person.open_report()
                        if still_open == reference:
                            continue
                        if still_open is not None:
                            raise RuntimeError(f"{still_open} is open in place of {reference}")
                    elif outcome.get("Revoked", {}).get("reference") != reference:
                        raise RuntimeError(f"撤銷掛失 of {reference} answered {outcome}")
                    reference = None
                time.sleep(0.05)
        except Exception as error:  # a citizen who stops is a failure, not a silence
            with lock:
                problems.append(f"citizen {number}: {error!r}")

    in_threads(citizen, [(n, tuple(facts)) for n, facts in enumerate(people)])
    write_rows(out, reports)
    problems += [f"citizen {n} reported nothing" for n, facts in enumerate(people)
                 if facts[0] not in {national_id for national_id, _, _ in reports}]
    if problems:
        fail(problems, "loss reports")
    print(f"loss reports: {len(reports)} made and revoked by {len(people)} citizens; "
          f"{cut[0]} forms without an answer (their server dead or down), "
          f"{sum(how == 'found' for _, _, how in reports)} of them made and found by 查詢")


def browse(base, cookies_file, company, stop, out):
    views = {"public": 0, "company": 0, "cut": 0}
    problems = []
    lock = threading.Lock()
    # Without a session the page does not name the company, so naming it proves the session.
    status, _, body = request(base, "GET", COMPANY_PAGE)
    if status != 200 or company in body:
        fail([f"{COMPANY_PAGE} without a session answered {status}, naming the company: "
              f"{company in body}"], "pages")

    def signed_in():
        """The company's sessions, once the sessions step has written them."""
        try:
            with open(cookies_file, encoding="utf-8") as lines:
                return [line.strip() for line in lines if line.strip()]
        except FileNotFoundError:
            return []

    def view(n, cookies):
        """Which kind of view `n` was, or None with the problem noted."""
        if n % 2 and cookies:
            status, _, body = request(base, "GET", COMPANY_PAGE,
                                      headers={"Cookie": cookies[n % len(cookies)]})
            if status == 200 and company in body:
                return "company"
            problems.append(f"{COMPANY_PAGE} answered {status}: {body[:200]}")
            return None
        page = PAGES[n % len(PAGES)]
        status, _, body = request(base, "GET", page)
        if status == 200:
            return "public"
        problems.append(f"{page} answered {status}: {body[:200]}")
        return None

    def viewer(offset):
        n, cookies = offset, []
        try:
            while not os.path.exists(stop) and not problems:
                cookies = cookies or signed_in()
                try:
                    kind = view(n, cookies)
                except (OSError, http.client.HTTPException):
                    # A page whose server was killed while it was being sent: nginx cannot
                    # send it again once part of it has left.
                    kind = "cut"
                with lock:
                    if kind:
                        views[kind] += 1
                n += 1
        except Exception as error:  # a viewer that stops is a failure, not a silence
            problems.append(f"a viewer stopped: {error!r}")

    viewers = 4
    in_threads(viewer, [(n,) for n in range(viewers)])
    write_rows(out, [(views["public"] + views["company"],)])
    if views["cut"] > viewers:
        problems.append(f"{views['cut']} views were cut off (at most one a viewer at the SIGKILL)")
    if not views["public"] or not views["company"]:
        problems.append(f"too few views to tell: {views}")
    if problems:
        fail(problems, "pages")
    print(f"pages: {views['public']} public and {views['company']} of the company's own "
          f"answered, {views['cut']} cut off by the SIGKILL")


def main():
    mode, base = sys.argv[1:3]
    args = sys.argv[3:]
    if mode == "guesses":
        guesses(base, *args)
    elif mode == "replays":
        replays(base, *args)
    elif mode == "challenges":
        challenges(base, args[0], int(args[1]), int(args[2]))
    elif mode == "sessions":
        sessions(base, args[0], args[1], args[2], args[3], args[4], int(args[5]), args[6], args[7])
    elif mode == "filer":
        filer(base, *args)
    elif mode == "reporter":
        reporter(base, *args)
    elif mode == "browse":
        browse(base, *args)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
