package bnscope.core.models;

import org.deeplearning4j.nn.api.FwdPassType;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.dataset.DataSet;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Mean loss and accuracy of a network over a data set in evaluation mode (BatchNorm running
 * statistics, no noise), in chunks so a large set never becomes one huge activation: what the
 * test-set rows and the loss-surface points report.
 *
 * <p>One forward pass per chunk gives both: the layers up to the output layer run once (DL4J's own
 * inference pass, {@link #forwardTo}), and the output layer scores its input (its own
 * {@code computeScore}, regularization included, as {@link MultiLayerNetwork#score(DataSet, boolean)}
 * does) and activates it for the predictions. That halves the cost of every test-set evaluation
 * and loss-surface point.
 * {@link #twoPasses} is the earlier evaluation (DL4J's {@code score}, then {@code output}: the
 * whole network forward twice); the two give the same loss and predictions ({@code EvaluationTest}).
 */
public final class Evaluation {
    /** Examples per forward pass. */
    public static final int CHUNK = 500;
    private static final Method FORWARD = forwardMethod();

    private Evaluation() {
    }

    /** Mean loss per example, the fraction classified right (NaN for regression), and the example count. */
    public record Result(double loss, double accuracy, int examples) {
    }

    /** The chunk's loss (DL4J's mean score over its examples) and, for classification, how many it got right. */
    private record Chunk(double score, long correct) {
    }

    /** How one chunk is evaluated. */
    private interface ChunkPass {
        Chunk run(MultiLayerNetwork net, DataSet chunk, boolean classification);
    }

    /** One forward pass per chunk. */
    public static Result of(MultiLayerNetwork net, DataSet data, boolean classification) {
        return over(net, data, classification, Evaluation::onePassChunk);
    }

    /** The earlier evaluation: DL4J's {@code score} and then {@code output} per chunk, two forward passes; same results as {@link #of}. */
    public static Result twoPasses(MultiLayerNetwork net, DataSet data, boolean classification) {
        return over(net, data, classification, Evaluation::twoPassChunk);
    }

    private static Result over(MultiLayerNetwork net, DataSet data, boolean classification, ChunkPass pass) {
        int n = data.numExamples();
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < n; start += CHUNK) {
            int end = Math.min(n, start + CHUNK);
            DataSet chunk = n <= CHUNK ? data : (DataSet) data.getRange(start, end);
            Chunk c = pass.run(net, chunk, classification);
            lossSum += c.score() * (end - start);
            correct += c.correct();
        }
        return new Result(lossSum / n, classification ? (double) correct / n : Double.NaN, n);
    }

    /** Whether {@link #of} runs one pass (false only on a DL4J without the forward method it calls). */
    static boolean onePass() {
        return FORWARD != null;
    }

    private static Chunk twoPassChunk(MultiLayerNetwork net, DataSet chunk, boolean classification) {
        double score = net.score(chunk, false);
        return new Chunk(score, classification ? correct(net.output(chunk.getFeatures(), false), chunk.getLabels()) : 0);
    }

    private static Chunk onePassChunk(MultiLayerNetwork net, DataSet chunk, boolean classification) {
        if (FORWARD == null || !(net.getOutputLayer() instanceof IOutputLayer out)) {
            return twoPassChunk(net, chunk, classification);
        }
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        int last = net.getnLayers() - 1;
        INDArray features = chunk.getFeatures();
        INDArray in = forwardTo(net, last - 1, features);
        InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(last);
        if (pre != null) {
            in = pre.preProcess(in, (int) features.size(0), mgr);
        }
        // what DL4J's score does from here on; the output layer keeps this input and these labels until the next pass, as there
        out.setInput(in, mgr);
        out.setLabels(chunk.getLabels());
        double score = out.computeScore(net.calcRegularizationScore(true), false, mgr);
        return new Chunk(score, classification ? correct(out.activate(false, mgr), chunk.getLabels()) : 0);
    }

    /**
     * DL4J's own inference forward pass up to the output of {@code layer}, in its inference workspaces,
     * detached from them: {@code MultiLayerNetwork.outputOfLayerDetached}, which both {@code score} and
     * {@code output} run. It is protected in DL4J 1.0.0-M2 and the public alternatives are 2.7× slower
     * (measured, 500 examples of vgg-mini, 1 thread: {@code activateSelectedLayers} 695 ms and
     * {@code feedForwardToLayer} ~680 ms, both without workspaces, against 251 ms): hence the reflective call.
     */
    private static INDArray forwardTo(MultiLayerNetwork net, int layer, INDArray features) {
        try {
            return (INDArray) FORWARD.invoke(net, false, FwdPassType.STANDARD, layer, features, null, null, null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + FORWARD, e);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** {@code outputOfLayerDetached}, made callable; null (so every chunk takes two passes) when this DL4J lacks it. */
    private static Method forwardMethod() {
        try {
            Method m = MultiLayerNetwork.class.getDeclaredMethod("outputOfLayerDetached", boolean.class, FwdPassType.class, int.class,
                    INDArray.class, INDArray.class, INDArray.class, MemoryWorkspace.class);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static long correct(INDArray output, INDArray labels) {
        return output.argMax(1).eq(labels.argMax(1)).castTo(DataType.INT).sumNumber().longValue();
    }
}
