"""Logging that says each thing once.

Django logs every 4xx answer it makes from an exception (403 from ``PermissionDenied``, 404
from ``Http404``) with the exception's traceback. Those answers are the portal working as
intended, so they keep their one line (status and path) and lose the traceback; server
errors keep theirs.
"""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
