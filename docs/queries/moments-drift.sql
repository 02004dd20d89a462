-- Layer-input drift (the paper's Fig. 8): mean |Δmean| and |Δvariance| of all units pooled, per layer.
SELECT variant, layer, layer_name,
       round(avg(delta_mean), 4)     AS mean_abs_delta_mean,
       round(avg(delta_variance), 4) AS mean_abs_delta_variance
FROM moments
WHERE unit = -1 AND point = 'input' AND delta_mean IS NOT NULL
GROUP BY variant, layer, layer_name
ORDER BY layer, variant
