"""The clients of scripts/crash-test.sh (issue 22 item 3), standard library only.

  crash_client.py send BASE_URL TOKENS ANSWERS THREADS
      Sends each pre-signed verification call from THREADS connections and writes how each
      ended to ANSWERS, a line per call: `index,status,rdCode,verdict,cut`. A call the server
      never took (connection refused while it is down) is sent when it is back. A call sent
      that got no answer (the server died, or closed the connection, with it) is `cut` and
      sent again with the same token once the server is back: the answer then says whether
      it had been taken (HJ4004, its token spent) or not (answered now). Gives up when no call
      has been answered for 60 s.
  crash_client.py check BASE_URL TOKENS ANSWERS LOGGED MAX_LOST
      LOGGED holds `userId,verdict` of the call log's RS7009 rows (call `i` is signed as user
      `crash-i`). Fails unless every call was answered RS7009 or, cut off and sent again,
      HJ4004; at most MAX_LOST calls were taken and never answered (those in flight at a
      SIGKILL: none at a SIGTERM); every call answered RS7009 is logged exactly once with the
      verdict it was answered; and every answered token sent again is refused as used.
      Behind the load balancer of scripts/cluster-test.sh, a call it sent to a server that
      died with it and then to the next (its answer's X-Upstream names both) counts as cut.
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse

PATH = "/integration/rwv2c2/"
PATIENCE = 60


class NotTaken(Exception):
    """The server refused the connection: the call was not sent."""


class Cut(Exception):
    """The call was sent and no answer came."""


def connect(base):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=15)


def call(connection, token):
    """(status, rdCode, verdict, resent) of one call on `connection`; `resent` when a load
    balancer sent it to more than one server."""
    try:
        connection.request("GET", PATH, headers={"Authorization": f"Bearer {token}"})
    except ConnectionRefusedError as refused:
        # http.client reconnects by itself after a `Connection: close`: refused, nothing sent.
        raise NotTaken() from refused
    except OSError as error:
        raise Cut() from error
    try:
        response = connection.getresponse()
        body = json.loads(response.read())
    except (http.client.HTTPException, OSError, ValueError) as error:
        raise Cut() from error
    data = body.get("responseData") or {}
    resent = "," in (response.getheader("X-Upstream") or "")
    return response.status, body.get("rdCode", ""), data.get("checkIdCardApply", ""), resent


def send(base, tokens, answers, threads):
    results = [None] * len(tokens)
    lock = threading.Lock()
    state = {"next": 0, "answered_at": time.monotonic()}

    def take():
        with lock:
            index = state["next"]
            state["next"] += 1
        return index if index < len(tokens) else None

    def worker():
        connection = connect(base)
        while (index := take()) is not None:
            cut = False
            while True:
                if time.monotonic() - state["answered_at"] > PATIENCE:
                    raise SystemExit(f"no call answered for {PATIENCE} s")
                try:
                    status, code, verdict, resent = call(connection, tokens[index])
                    cut = cut or resent
                except (NotTaken, Cut) as failure:
                    cut = cut or isinstance(failure, Cut)
                    connection.close()
                    connection = connect(base)
                    time.sleep(0.02)
                    continue
                results[index] = (status, code, verdict, int(cut))
                state["answered_at"] = time.monotonic()
                break

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    if any(result is None for result in results):
        sys.exit("a client gave up")
    with open(answers, "w", encoding="utf-8") as out:
        for index, (status, code, verdict, cut) in enumerate(results):
            out.write(f"{index},{status},{code},{verdict},{cut}\n")


def check(base, tokens, answers, logged, max_lost):
    with open(answers, encoding="utf-8") as lines:
        results = [line.rstrip("\n").split(",") for line in lines]
    logged_rows = {}
    with open(logged, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                user, verdict = line.strip().split(",")
                logged_rows.setdefault(user, []).append(verdict)
    problems = []
    answered, lost = [], []
    for index, status, code, verdict, cut in results:
        if code == "RS7009":
            answered.append((int(index), verdict))
        elif code == "HJ4004" and cut == "1":
            lost.append(int(index))
        else:
            problems.append(f"call {index} ended {status} {code}")
    if len(lost) > max_lost:
        problems.append(f"{len(lost)} calls were taken and never answered (at most {max_lost})")
    for index, verdict in answered:
        rows = logged_rows.get(f"crash-{index}", [])
        if rows != [verdict]:
            problems.append(f"call {index} was answered {verdict} and is logged {rows}")
    twice = [user for user, rows in logged_rows.items() if len(rows) > 1]
    if twice:
        problems.append(f"logged more than once: {twice[:10]}")
    connection = connect(base)
    for index, _ in answered:
        status, code, *_ = call(connection, tokens[index])
        if code != "HJ4004":
            problems.append(f"call {index}'s token sent again was answered {status} {code}")
    cut = sum(1 for *_, was_cut in results if was_cut == "1")
    print(f"{len(results)} calls: {len(answered)} answered RS7009 and logged, {cut} cut off "
          f"and sent again, {len(lost)} of them taken before the crash and never answered; "
          f"{len(problems)} problems")
    for problem in problems[:20]:
        print(f"LOSS: {problem}", file=sys.stderr)
    return not problems


def main():
    mode, base, tokens_file = sys.argv[1:4]
    with open(tokens_file, encoding="utf-8") as lines:
        tokens = [line.strip() for line in lines if line.strip()]
    if mode == "send":
        send(base, tokens, sys.argv[4], int(sys.argv[5]))
    elif mode == "check":
        sys.exit(0 if check(base, tokens, sys.argv[4], sys.argv[5], int(sys.argv[6])) else 1)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
