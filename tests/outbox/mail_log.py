"""An e-mail backend for a worker subprocess: each message becomes a JSON line in the file
named by ``MAIL_LOG``, so the test can count what the worker sent."""

import json
import os

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        with open(os.environ["MAIL_LOG"], "a", encoding="utf-8") as log:
            for message in messages:
                log.write(json.dumps({"to": message.to, "subject": message.subject}) + "\n")
        return len(messages)
