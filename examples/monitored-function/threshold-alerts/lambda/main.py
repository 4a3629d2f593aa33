"""Event enricher: occasional failures are retried and tolerated; a rising error rate is not."""

import json
import logging
import os
import random

logger = logging.getLogger()
logger.setLevel(logging.INFO)

# Share of events that fail on purpose, to see the error-rate alarm at work.
FAILURE_RATE = float(os.environ.get("SIMULATED_FAILURE_RATE", "0"))


def lambda_handler(event, context):
    if random.random() < FAILURE_RATE:
        raise RuntimeError("simulated transient failure")
    enriched = {**event, "enriched": True}
    logger.info(json.dumps({"message": "event enriched", "keys": sorted(enriched)}))
    return enriched
