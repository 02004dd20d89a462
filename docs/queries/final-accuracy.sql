-- Final test accuracy per run and variant (the paper: 83% with BatchNorm, 80% without, full VGG).
SELECT run, variant, step, round(accuracy, 4) AS test_accuracy, round(loss, 4) AS test_loss
FROM curves c
WHERE kind = 'test'
  AND step = (SELECT max(step) FROM curves m WHERE m.run = c.run AND m.variant = c.variant AND m.kind = 'test')
ORDER BY run, variant
