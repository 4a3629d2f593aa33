"""Reference handler of the aws-ops-kit MonitoredFunction stack.

Echoes the event; an event with {"fail": true} raises, so the alarms can be tried out.
"""

import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    logger.info(json.dumps({"message": "event received", "keys": sorted(event)}))
    if event.get("fail"):
        raise RuntimeError("failure requested by the event")
    return {"ok": True, "echo": event}
