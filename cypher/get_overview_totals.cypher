// Distinct people and converters over the whole range [$from, $to) (they do
// not add up across days).
MATCH (e:Event)
WHERE e.ts >= $from AND e.ts < $to
RETURN count(DISTINCT e.person) AS people,
       count(DISTINCT CASE WHEN e.step = $conversion THEN e.person END) AS converters
