"""fazhi notifications service: subscriptions, department inboxes, signed webhooks, e-mail."""
