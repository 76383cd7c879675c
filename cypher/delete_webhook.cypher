// Removes a webhook (delete_webhook_deliveries then erases its log; a
// delivery claimed meanwhile is cancelled, its webhook gone).
MATCH (w:Webhook {id: $id})
DELETE w
RETURN count(*) AS deleted
