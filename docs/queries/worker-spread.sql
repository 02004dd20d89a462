-- Straight from the snapshot table: how far the two parameter-averaging workers disagree on the
-- gradient change of each layer at each recorded step.
SELECT variant, step, layer, layer_name,
       round(max(diff_norm) - min(diff_norm), 4) AS diff_norm_spread,
       round(max(cosine) - min(cosine), 4)       AS cosine_spread
FROM ics
WHERE param = 'W'
GROUP BY variant, step, layer, layer_name
ORDER BY variant, step, layer
