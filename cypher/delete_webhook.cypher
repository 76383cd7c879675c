// Removes a webhook; its pending deliveries are cancelled when claimed.
MATCH (w:Webhook {id: $id})
DELETE w
RETURN count(*) AS deleted
