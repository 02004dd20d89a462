-- Cosine of layer #5's gradient change at lr 0.1, BatchNorm vs standard, per 500 steps
-- (the paper's Fig. 3: with BatchNorm the cosine is no higher, often lower).
SELECT variant,
       CAST(floor(step / 500) * 500 AS INT) AS steps_from,
       round(avg(cosine_mean), 3)           AS cosine,
       round(avg(diff_norm_mean), 3)        AS l2_difference,
       count(*)                             AS recorded_steps
FROM ics_metrics
WHERE layer = 5 AND param = 'W' AND variant IN ('batchnorm', 'standard')
GROUP BY variant, CAST(floor(step / 500) * 500 AS INT)
ORDER BY variant, steps_from
