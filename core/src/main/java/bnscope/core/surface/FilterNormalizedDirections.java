package bnscope.core.surface;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Filter-normalized random directions (Li et al. 2018, "Visualizing the Loss Landscape of Neural
 * Nets", Section 4): a Gaussian direction d in parameter space, rescaled filter by filter so that
 * each filter of d has the norm of the same filter of the weights, ‖d_ij‖ = ‖θ_ij‖. Without it,
 * a direction's effect depends on each layer's scale, which BatchNorm makes arbitrary.
 *
 * <p>A filter is one output unit's weights: output channel o of a conv weight [out, in, kh, kw],
 * column j of a dense weight [nIn, nOut] (DL4J's layout). Only weight ("W") parameters get a
 * direction. Biases and the normalization layers' γ and β get 0, as Li et al.'s reference code does
 * by default ({@code --xignore biasbn}); BatchNorm running statistics are not parameters of the
 * loss and get 0 too, so every point keeps the checkpoint's running mean and variance.
 *
 * <p>The draws come from {@link java.util.Random} (its algorithm is fixed by the Java
 * specification), one standard normal per element of the flat parameter vector in flat order, so
 * the same seed and network layout give the same direction on every machine and executor.
 */
public final class FilterNormalizedDirections {
    private FilterNormalizedDirections() {
    }

    /** The two directions of a plane: x and y, flat vectors in {@code net.params()}'s layout. */
    public record Plane(INDArray x, INDArray y) {
    }

    /** Draws the plane's two directions from the seeds' x and y seeds. */
    public static Plane plane(MultiLayerNetwork net, SurfaceSeeds seeds) {
        return new Plane(draw(net, seeds.x()), draw(net, seeds.y()));
    }

    /** One filter-normalized direction for {@code net}'s current weights, drawn from {@code seed}. */
    public static INDArray draw(MultiLayerNetwork net, long seed) {
        INDArray params = net.params();
        Random random = new Random(seed);
        float[] gaussian = new float[Math.toIntExact(params.length())];
        for (int k = 0; k < gaussian.length; k++) {
            gaussian[k] = (float) random.nextGaussian();
        }
        // A copy of the network holds the draw as its parameters, so every layer's "W" view has the
        // parameter's own shape and order in the flat vector (DL4J keeps conv W in 'c', dense W in 'f' order).
        MultiLayerNetwork holder = net.clone();
        holder.setParams(Nd4j.createFromArray(gaussian).reshape(params.shape()).castTo(params.dataType()));
        Layer[] weights = net.getLayers();
        Layer[] draws = holder.getLayers();
        for (int j = 0; j < weights.length; j++) {
            for (String key : draws[j].paramTable().keySet()) {
                INDArray d = draws[j].getParam(key);
                if (key.equals("W")) {
                    normalizeFilters(d, weights[j].getParam(key));
                } else {
                    d.assign(0); // biases, gamma, beta, running statistics: not perturbed (Li et al.'s biasbn)
                }
            }
        }
        return holder.params().dup();
    }

    /** d_filter ← d_filter / ‖d_filter‖ · ‖w_filter‖ for every filter, in place (a zero weight filter gives a zero direction filter). */
    private static void normalizeFilters(INDArray d, INDArray w) {
        int filterDimension = filterDimension(w);
        long filters = w.size(filterDimension);
        for (long f = 0; f < filters; f++) {
            INDArray wf = filter(w, filterDimension, f);
            INDArray df = filter(d, filterDimension, f);
            double wNorm = wf.norm2Number().doubleValue();
            double dNorm = df.norm2Number().doubleValue();
            df.muli(dNorm > 0 ? wNorm / dNorm : 0);
        }
    }

    /** The dimension that indexes filters: 0 for conv weights [out, in, kh, kw], 1 (nOut) for dense weights [nIn, nOut]. */
    static int filterDimension(INDArray weight) {
        return weight.rank() == 2 ? 1 : 0;
    }

    /** Filter {@code f} of a weight-shaped array. */
    static INDArray filter(INDArray weight, int filterDimension, long f) {
        return weight.rank() == 2
                ? (filterDimension == 1 ? weight.getColumn(f) : weight.getRow(f))
                : weight.slice(f, filterDimension);
    }

    /** Per-filter l2 norms of a weight-shaped array, in filter order (what the tests compare). */
    public static double[] filterNorms(INDArray weight) {
        int dim = filterDimension(weight);
        double[] norms = new double[Math.toIntExact(weight.size(dim))];
        for (int f = 0; f < norms.length; f++) {
            norms[f] = filter(weight, dim, f).norm2Number().doubleValue();
        }
        return norms;
    }
}
