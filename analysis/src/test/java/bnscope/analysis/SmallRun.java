package bnscope.analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static bnscope.core.tables.SnapshotTables.*;

/**
 * A small but complete run for the command and report tests: two variants, two workers, 40
 * steps, every snapshot table, values from a fixed seed. The same seed gives the same run.
 */
public final class SmallRun {
    public static final List<String> VARIANTS = List.of("standard", "batchnorm");
    public static final int STEPS = 40;
    public static final int LAYERS = 3;

    private SmallRun() {
    }

    public static String write(Path dir, String runId) {
        RunFixture run = new RunFixture(dir, runId);
        Random r = new Random(7);
        for (String v : VARIANTS) {
            double speed = v.equals("batchnorm") ? 0.08 : 0.04;
            for (int w = 0; w < 2; w++) {
                for (long s = 0; s < STEPS; s++) {
                    double acc = 1 - 0.9 * Math.exp(-speed * s) + 0.02 * r.nextGaussian();
                    double loss = 2.3 * Math.exp(-speed * s) + 0.05 * r.nextDouble();
                    run.add(METRICS, v, w, s, b -> b.set("kind", "train").set("loss", loss).set("accuracy", acc)
                            .set("examples", 64).set("time_ms", 0L));
                    if (s % 10 == 0) {
                        for (int layer = 1; layer <= LAYERS; layer++) {
                            addIcs(run, r, v, w, s, layer);
                            final int l = layer;
                            double mean = 0.1 * l + 0.01 * s + 0.05 * w;
                            List<Float> sample = new ArrayList<>();
                            for (int i = 0; i < 32; i++) {
                                sample.add((float) (mean + r.nextGaussian()));
                            }
                            run.add(ACTIVATIONS, v, w, s, b -> b.set("layer", l).set("layer_name", "conv" + l).set("point", "input")
                                    .set("unit", -1).set("count", 512L).set("mean", mean).set("m2", 1.0 + 0.01 * l).set("m3", 0.1)
                                    .set("m4", 3.2).set("min", mean - 3).set("max", mean + 3).set("sample", sample));
                        }
                        for (double eta : new double[]{0.05, 0.1, 0.2, 0.4}) {
                            double gd = (v.equals("batchnorm") ? 5 : 20) * eta * (1 + r.nextDouble());
                            double lossAt = loss + eta * (1 + r.nextDouble());
                            run.add(LANDSCAPE, v, w, s, b -> b.set("eta", eta).set("eta_over_lr", eta / 0.1).set("loss", lossAt)
                                    .set("base_loss", loss).set("grad_diff_norm", gd).set("step_norm", eta * 3).set("grad_norm", 3.0));
                        }
                        for (String identity : new String[]{"fact_c1", "thm41", "thm41_printed"}) {
                            double err = identity.equals("thm41_printed") ? 0.3 * r.nextDouble() : 1e-7 * r.nextDouble();
                            run.add(THEORY_CHECKS, v, w, s, b -> b.set("layer", 2).set("layer_name", "conv2").set("unit", 0)
                                    .set("identity", identity).set("lhs", 1.0).set("rhs", 1.0 + err).set("rel_error", err));
                        }
                    }
                }
            }
            for (long s = 10; s <= STEPS; s += 10) {
                double acc = 1 - 0.9 * Math.exp(-speed * s) - 0.05;
                run.add(METRICS, v, -1, s, b -> b.set("kind", "test").set("loss", 1.0).set("accuracy", acc)
                        .set("examples", 1000).set("time_ms", 0L));
            }
        }
        return run.write();
    }

    private static void addIcs(RunFixture run, Random r, String variant, int worker, long step, int layer) {
        float[] g = new float[10];
        float[] p = new float[10];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextGaussian();
            p[i] = layer == 1 ? g[i] : g[i] + 0.5f * (float) r.nextGaussian();
        }
        double dot = 0, gg = 0, pp = 0, dd = 0;
        for (int i = 0; i < g.length; i++) {
            dot += (double) g[i] * p[i];
            gg += (double) g[i] * g[i];
            pp += (double) p[i] * p[i];
            dd += ((double) g[i] - p[i]) * ((double) g[i] - p[i]);
        }
        double fdot = dot, fg = Math.sqrt(gg), fp = Math.sqrt(pp), fd = Math.sqrt(dd);
        run.add(ICS, variant, worker, step, b -> b.set("layer", layer).set("layer_name", "conv" + layer).set("param", "W")
                .set("g_norm", fg).set("g_prime_norm", fp).set("dot", fdot).set("diff_norm", fd)
                .set("cosine", fdot / (fg * fp)).set("batch_size", 64));
        for (int c = 0; c < 2; c++) {
            List<Float> gc = new ArrayList<>();
            List<Float> pc = new ArrayList<>();
            for (int i = c * 5; i < c * 5 + 5; i++) {
                gc.add(g[i]);
                pc.add(p[i]);
            }
            final int chunk = c;
            run.add(ICS_VECTORS, variant, worker, step, b -> b.set("layer", layer).set("layer_name", "conv" + layer).set("param", "W")
                    .set("chunk", chunk).set("g", gc).set("g_prime", pc));
        }
    }
}
