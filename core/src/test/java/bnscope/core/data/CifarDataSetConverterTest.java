package bnscope.core.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static bnscope.core.data.CifarTestFiles.RECORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Records to DL4J DataSets: shape, normalization, labels, minibatch order and evaluation chunks. */
class CifarDataSetConverterTest {
    private final CifarRecordReader reader = new CifarRecordReader();
    private final CifarSource sample = CifarSource.open(CifarTestFiles.repoSample().toString());
    private final ChannelStatistics stats = ChannelStatistics.compute(sample.trainingFiles(), reader);
    private final CifarDataSetConverter converter = new CifarDataSetConverter(stats);

    @Test
    void featuresAreNormalizedNchwAndLabelsOneHot() throws IOException {
        byte[] raw = CifarTestFiles.bytes(CifarTestFiles.repoSample().resolve("test_batch.bin"));
        int first = 100;
        int n = 64;
        DataSet ds = converter.toDataSet(reader.readRange(sample.testFile(), first, n));
        INDArray x = ds.getFeatures();
        INDArray y = ds.getLabels();
        assertArrayEquals(new long[]{n, 3, 32, 32}, x.shape());
        assertArrayEquals(new long[]{n, 10}, y.shape());
        assertEquals(DataType.FLOAT, x.dataType());
        assertEquals(DataType.FLOAT, y.dataType());

        for (int i = 0; i < n; i++) {
            int label = CifarTestFiles.label(raw, first + i);
            for (int k = 0; k < 10; k++) {
                assertEquals(k == label ? 1f : 0f, y.getFloat(i, k), "row " + i + " class " + k);
            }
        }
        int[][] probes = {{0, 0, 0, 0}, {5, 1, 7, 30}, {63, 2, 31, 31}, {17, 2, 16, 3}, {40, 0, 31, 0}};
        for (int[] p : probes) {
            int i = p[0], c = p[1], h = p[2], w = p[3];
            int value = raw[(first + i) * RECORD + 1 + c * 1024 + h * 32 + w] & 0xFF;
            double expected = (value / 255.0 - stats.mean(c)) / stats.std(c);
            assertEquals(expected, x.getDouble(i, c, h, w), 1e-6, "pixel " + java.util.Arrays.toString(p));
        }
    }

    @Test
    void normalizedTrainingSetHasZeroMeanUnitStdPerChannel() {
        DataSet ds = converter.toDataSet(reader.readRange(sample.trainingFiles().get(0), 0, 5000));
        INDArray x = ds.getFeatures().castTo(DataType.DOUBLE);
        for (int c = 0; c < 3; c++) {
            INDArray channel = x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(c)).dup();
            double mean = channel.meanNumber().doubleValue();
            double std = Math.sqrt(channel.sub(mean).muli(channel.sub(mean)).meanNumber().doubleValue());
            assertEquals(0.0, mean, 1e-5, "channel " + c + " mean");
            assertEquals(1.0, std, 1e-5, "channel " + c + " std");
        }
    }

    @Test
    void minibatchReaderKeepsPlanOrderAcrossFiles() {
        // The repo sample has one training file; grouping by file needs two, so take the shared set's first two.
        CifarSource full = CifarSource.open(CifarTestFiles.sharedFullSet().toString());
        List<CifarBatchFile> files = full.trainingFiles().subList(0, 2);
        MinibatchPlan plan = MinibatchPlan.forFiles(2024, files, 32, 5);
        List<RecordRef> batch = plan.minibatch(4);
        DataSet ds;
        try (MinibatchReader minibatches = new MinibatchReader(files, converter, reader)) {
            minibatches.read(plan.minibatch(0)); // streams stay open between minibatches
            ds = minibatches.read(batch);
        }
        assertEquals(32, ds.numExamples());
        assertEquals(2, batch.stream().map(RecordRef::fileIndex).distinct().count(), "batch draws on both files");
        for (int i = 0; i < batch.size(); i++) {
            RecordRef ref = batch.get(i);
            CifarRecords one = reader.readRecords(files.get(ref.fileIndex()), new int[]{ref.recordIndex()});
            DataSet expected = converter.toDataSet(one);
            assertEquals(expected.getFeatures().slice(0), ds.getFeatures().slice(i), "row " + i + " = " + ref);
            assertEquals(expected.getLabels().slice(0), ds.getLabels().slice(i), "label row " + i);
        }
    }

    @Test
    void testSetChunksCoverTheFileInOrder() {
        List<RecordRange> chunks = RecordRange.chunks(sample.testFile(), 300);
        assertEquals(List.of(300, 300, 300, 100), chunks.stream().map(RecordRange::count).toList());
        List<Integer> labels = new ArrayList<>();
        for (RecordRange chunk : chunks) {
            CifarRecords records = chunk.read(reader);
            for (int i = 0; i < records.size(); i++) {
                labels.add(records.label(i));
            }
        }
        CifarRecords whole = reader.readRange(sample.testFile(), 0, 1000);
        for (int i = 0; i < 1000; i++) {
            assertEquals(whole.label(i), labels.get(i).intValue());
        }
        assertEquals(1000, labels.size());
    }
}
