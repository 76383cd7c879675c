EXISTS { MATCH (e:Event {person: p.id}) WHERE ({{of}}) OR ({{per}})
  WITH count(CASE WHEN {{of}} THEN 1 END) AS n, count(CASE WHEN {{per}} THEN 1 END) AS d
  WHERE d >= $_min_base AND $_min <= toFloat(n) / d <= $_max
  RETURN d }
