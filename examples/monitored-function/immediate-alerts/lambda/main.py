"""Payment processor: every failure matters, so one error raises the alarm at once."""

import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


class InvalidPaymentError(Exception):
    """The event is not a payment we can process."""


def lambda_handler(event, context):
    amount = event.get("amount")
    currency = event.get("currency")
    if not isinstance(amount, (int, float)) or amount <= 0 or not currency:
        # Raising makes Lambda count an error: the <name>-errors alarm fires within a minute.
        raise InvalidPaymentError(f"invalid payment: {json.dumps(event)}")
    logger.info(json.dumps({"message": "payment accepted", "amount": amount, "currency": currency}))
    return {"status": "accepted", "amount": amount, "currency": currency}
