-- Loss and gradient-predictiveness bands in the first 3,000 steps (the paper's Fig. 4:
-- with BatchNorm both bands are much narrower).
SELECT variant,
       round(max(loss_max), 3)        AS loss_upper_edge,
       round(max(grad_diff_max), 3)   AS grad_diff_upper_edge,
       round(avg(beta_smoothness), 3) AS mean_beta_smoothness
FROM landscape_metrics
WHERE step < 3000
GROUP BY variant
ORDER BY variant
