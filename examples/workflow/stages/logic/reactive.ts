/**
 * Reactive: the follow-up actions a summary calls for — an offer for customers whose intent is
 * high, a VIP review for big spenders, a nurture email for the rest who spent something.
 */
import { jsonStage } from '../../../../src/workflow/stage.js';
import { inputParser, summarySchema, type FollowUpAction, type Summary } from './records.js';

/** $500 in the batch makes a customer worth a human look. */
export const VIP_AMOUNT_CENTS = 50_000;

export function followUpActions(summary: Summary): { actions: FollowUpAction[] } {
  const actions: FollowUpAction[] = [];
  for (const customer of summary.customers) {
    if (customer.tier === 'high') {
      actions.push({
        customerId: customer.customerId,
        action: 'send-offer',
        reason: `score ${customer.maxScore}`,
      });
    } else if (customer.amountCents > 0) {
      actions.push({
        customerId: customer.customerId,
        action: 'nurture-email',
        reason: `${customer.tier} intent`,
      });
    }
    if (customer.amountCents >= VIP_AMOUNT_CENTS) {
      actions.push({
        customerId: customer.customerId,
        action: 'vip-review',
        reason: `spent ${(customer.amountCents / 100).toFixed(2)}`,
      });
    }
  }
  return { actions };
}

export const reactiveStage = jsonStage((summary: Summary) => followUpActions(summary), {
  parseInput: inputParser('reactive', summarySchema),
});
