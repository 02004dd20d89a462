package bnscope.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.UncheckedIOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checkpoints are staged and renamed into place; a rename the file system refuses (HDFS returns false
 * instead of throwing) fails the save instead of losing the checkpoint silently.
 */
class CheckpointsTest {
    /** The real local file system, except that rename reports failure the way HDFS does: by returning false. */
    public static final class FalseRenameFileSystem extends LocalFileSystem {
        @Override
        public boolean rename(Path src, Path dst) {
            return false;
        }
    }

    @TempDir
    java.nio.file.Path tmp;

    private static MultiLayerNetwork tinyNetwork() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    @Test
    void savedCheckpointsReadBackAndOnlyTheNewestTwoAreKept() {
        Checkpoints c = new Checkpoints(new Path(tmp.toString()), "batchnorm", new Configuration());
        MultiLayerNetwork net = tinyNetwork();
        for (long step : new long[]{5, 10, 15}) {
            c.save(net, step);
        }
        assertEquals(java.util.List.of(10L, 15L), c.steps());
        assertEquals(15L, c.latestStep().getAsLong());
        assertEquals(net.params(), c.load(15).params());
    }

    @Test
    void aRenameThatReturnsFalseFailsTheSave() {
        Configuration refusing = new Configuration();
        refusing.set("fs.file.impl", FalseRenameFileSystem.class.getName());
        refusing.setBoolean("fs.file.impl.disable.cache", true);
        Checkpoints c = new Checkpoints(new Path(tmp.toString()), "batchnorm", refusing);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> c.save(tinyNetwork(), 10));
        assertTrue(e.getCause().getMessage().contains("returned false"), e.getCause().getMessage());
        assertFalse(Files.exists(tmp.resolve("checkpoints/batchnorm/step-000000010.zip")));
        assertTrue(c.steps().isEmpty());
    }
}
