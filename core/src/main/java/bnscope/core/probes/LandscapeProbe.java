package bnscope.core.probes;

import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * The loss landscape along the gradient (the paper's Section 3.1, Fig. 4). With g the mean-loss
 * gradient G / batch_size at w_step over the trainable parameters, for each η in the grid it
 * evaluates w(η) = w_step − η·g on the step's minibatch in training mode: the loss L(w(η)) and the
 * gradient change ‖∇L(w(η)) − g‖₂. BatchNorm running statistics stay at their w_step values (they
 * do not enter a training-mode pass). One forward and backward pass per grid point.
 *
 * <p>g is formed exactly as DL4J's updater forms the SGD step (G divided by the batch size, or not for
 * a network trained on the summed loss such as the deep linear network, then multiplied by η, in the
 * network's data type), so at η = lr w(η) is the SGD step's result.
 */
public final class LandscapeProbe implements Probe {
    private final ProbeSettings.Landscape settings;

    public LandscapeProbe(ProbeSettings.Landscape settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "landscape";
    }

    @Override
    public List<TableSchema> tables() {
        return List.of(SnapshotTables.LANDSCAPE);
    }

    @Override
    public boolean due(long step) {
        return settings.due(step);
    }

    @Override
    public void record(StepSnapshot s, SnapshotSink sink) {
        WeightLayers layers = s.layers();
        INDArray g = s.gradient().dup();
        zeroRunningStatistics(g, s.paramsBefore(), layers);
        // The updater divides the raw (summed) gradient by the batch size unless the network trains on
        // the summed loss (miniBatch(false), as the deep linear network does): g is the step's direction.
        double divisor = s.net().conf().isMiniBatch() ? s.batchSize() : 1.0;
        g.divi(divisor);
        double[] gTrainable = trainable(g, layers);
        double gNorm = DoubleVectors.norm(gTrainable);

        NetworkPass pass = s.pass();
        for (double multiplier : settings.multipliers()) {
            double eta = multiplier * s.learningRate();
            INDArray w = s.paramsBefore().sub(g.mul(eta));
            s.net().setParams(w);
            NetworkPass.Result r = pass.run(0, s.features(), s.labels());
            double[] gradEta = trainable(r.gradient(), layers);
            for (int i = 0; i < gradEta.length; i++) {
                gradEta[i] /= divisor;
            }
            sink.write(SnapshotTables.LANDSCAPE, s.key().startRow(SnapshotTables.LANDSCAPE)
                    .set("eta", eta)
                    .set("eta_over_lr", multiplier)
                    .set("loss", r.score())
                    .set("base_loss", s.loss())
                    .set("grad_diff_norm", DoubleVectors.diffNorm(gradEta, gTrainable))
                    .set("step_norm", Math.abs(eta) * gNorm)
                    .set("grad_norm", gNorm)
                    .build());
        }
    }

    /**
     * Running-statistic entries of G are statistic updates, not gradients: zero them so the step
     * leaves the statistics where they were.
     */
    private static void zeroRunningStatistics(INDArray g, INDArray params, WeightLayers layers) {
        long next = 0;
        for (ParamSlice t : layers.trainable()) {
            if (t.offset() > next) {
                new ParamSlice(-1, "statistics", next, t.offset() - next).view(g).assign(0);
            }
            next = t.offset() + t.length();
        }
        if (next < params.length()) {
            new ParamSlice(-1, "statistics", next, params.length() - next).view(g).assign(0);
        }
    }

    /** Trainable entries of a flat vector, in flat order, as doubles. */
    static double[] trainable(INDArray flat, WeightLayers layers) {
        long total = 0;
        for (ParamSlice t : layers.trainable()) {
            total += t.length();
        }
        double[] out = new double[Math.toIntExact(total)];
        int at = 0;
        for (ParamSlice t : layers.trainable()) {
            double[] part = t.doubles(flat);
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
