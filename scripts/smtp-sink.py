"""A real SMTP server on loopback for the tests: stores each message as <dir>/<n>.eml."""

import os
import sys
import time

from aiosmtpd.controller import Controller


class SaveToDirectory:
    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.count += 1
        path = os.path.join(self.directory, f"{time.time_ns()}-{self.count}.eml")
        header = "X-Envelope-To: " + ", ".join(envelope.rcpt_tos) + "\r\n"
        with open(path + ".tmp", "wb") as out:
            out.write(header.encode())
            out.write(envelope.original_content or envelope.content)
        os.replace(path + ".tmp", path)  # readers never see half a message
        return "250 Message accepted for delivery"


def main() -> None:
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(SaveToDirectory(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"smtp sink on 127.0.0.1:{port} writing to {directory}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
