// Erases the delivery log of the deleted webhook $id (pending deliveries
// included: there is no one to send them to), in bounded transactions, by
// the delivery_webhook index. graph.Store.DeleteWebhook runs it after
// delete_webhook.
MATCH (d:Delivery)
WHERE d.webhook = $id
CALL (d) { DETACH DELETE d } IN TRANSACTIONS OF 10000 ROWS
RETURN count(*) AS n
