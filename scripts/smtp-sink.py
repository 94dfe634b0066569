"""A real SMTP server on loopback: stores each message as <dir>/<n>.eml. With --text (the demo,
scripts/run.sh) it also writes <dir>/<n>.txt, the message decoded for people to read: who it
went to, its subject and its text, as a mail program would show them."""

import email
import email.policy
import os
import sys
import time

from aiosmtpd.controller import Controller


def readable(raw: bytes) -> str:
    """The message as a mail program shows it: headers decoded, the text part(s) decoded."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    lines = [f"{name}: {message[name]}" for name in ("Date", "From", "To", "Subject") if message[name]]
    body = message.get_body(preferencelist=("plain", "html"))
    lines.append("")
    lines.append(body.get_content() if body is not None else "(no text part)")
    return "\n".join(lines)


class SaveToDirectory:
    def __init__(self, directory: str, text: bool) -> None:
        self.directory = directory
        self.text = text
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.count += 1
        path = os.path.join(self.directory, f"{time.time_ns()}-{self.count}.eml")
        header = "X-Envelope-To: " + ", ".join(envelope.rcpt_tos) + "\r\n"
        with open(path + ".tmp", "wb") as out:
            out.write(header.encode())
            out.write(envelope.original_content or envelope.content)
        os.replace(path + ".tmp", path)  # readers never see half a message
        if self.text:
            # The .eml is kept whatever happens here: a message that cannot be decoded says so.
            try:
                text = readable(envelope.original_content or envelope.content)
            except Exception as error:  # noqa: BLE001 (any failure to decode)
                text = f"(could not decode this message: {error}; see the .eml beside it)"
            txt = path[: -len(".eml")] + ".txt"
            with open(txt + ".tmp", "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(txt + ".tmp", txt)
        return "250 Message accepted for delivery"


def main() -> None:
    port, directory = int(sys.argv[1]), sys.argv[2]
    text = "--text" in sys.argv[3:]
    os.umask(0o077)  # mail is for this user only
    os.makedirs(directory, exist_ok=True)
    controller = Controller(SaveToDirectory(directory, text), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"smtp sink on 127.0.0.1:{port} writing to {directory}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
