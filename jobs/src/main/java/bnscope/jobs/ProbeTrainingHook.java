package bnscope.jobs;

import bnscope.core.probes.ProbeSettings;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Placeholder while probes are merged. */
public final class ProbeTrainingHook implements TrainingHook {
    public ProbeTrainingHook(String runId, String variant, String runDir, int averagingFrequency, ProbeSettings probes,
                             double learningRate) {
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
