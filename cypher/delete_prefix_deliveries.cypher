// Erases the webhook deliveries about the people whose id starts with
// $prefix (their payloads name them) or sent to a webhook whose id does
// (such as a test run's test sends), in bounded transactions.
MATCH (d:Delivery)
WHERE d.person STARTS WITH $prefix OR d.webhook STARTS WITH $prefix
CALL (d) { DETACH DELETE d } IN TRANSACTIONS OF 10000 ROWS
RETURN count(*) AS n
