package bnscope.core.data;

import bnscope.core.BadInputException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static bnscope.core.data.CifarTestFiles.RECORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-channel training statistics against a plain per-pixel computation and published CIFAR-10 values. */
class ChannelStatisticsTest {
    private final CifarRecordReader reader = new CifarRecordReader();

    @Test
    void matchesAStraightforwardPerPixelComputation() throws IOException {
        CifarSource sample = CifarSource.open(CifarTestFiles.repoSample().toString());
        ChannelStatistics stats = ChannelStatistics.compute(sample.trainingFiles(), reader);

        byte[] raw = CifarTestFiles.bytes(CifarTestFiles.repoSample().resolve("data_batch_1.bin"));
        int records = raw.length / RECORD;
        assertEquals(records, stats.images());
        // Exact integer sums per channel, then var = (N*sum(x^2) - sum(x)^2) / (N^2 * 255^2): a different
        // formula from the implementation's, free of rounding until the final division.
        for (int c = 0; c < 3; c++) {
            long sum = 0;
            long sumSquares = 0;
            for (int r = 0; r < records; r++) {
                for (int p = 0; p < 1024; p++) {
                    long x = raw[r * RECORD + 1 + c * 1024 + p] & 0xFF;
                    sum += x;
                    sumSquares += x * x;
                }
            }
            BigInteger n = BigInteger.valueOf(records * 1024L);
            BigInteger numerator = n.multiply(BigInteger.valueOf(sumSquares))
                    .subtract(BigInteger.valueOf(sum).pow(2));
            BigDecimal variance = new BigDecimal(numerator)
                    .divide(new BigDecimal(n.pow(2).multiply(BigInteger.valueOf(255 * 255))), MathContext.DECIMAL128);
            double mean = sum / 255.0 / (records * 1024.0);
            double std = Math.sqrt(variance.doubleValue());
            assertEquals(mean, stats.mean(c), 1e-15, "mean of channel " + c);
            assertEquals(std, stats.std(c), 1e-15, "std of channel " + c);
        }
    }

    @Test
    void fullTrainingSetMatchesPublishedCifar10Statistics() {
        CifarSource full = CifarSource.open(CifarTestFiles.sharedFullSet().toString());
        long start = System.nanoTime();
        ChannelStatistics stats = ChannelStatistics.compute(full.trainingFiles(), reader);
        System.out.printf("channel statistics over 50,000 training images: %.3f s, %s%n",
                (System.nanoTime() - start) / 1e9, stats);
        // Widely quoted values for the original CIFAR-10 training set. This copy was rebuilt from JPEGs,
        // which smooths pixels a little: means agree closely, stds are slightly lower.
        double[] publishedMean = {0.4914, 0.4822, 0.4465};
        double[] publishedStd = {0.2470, 0.2435, 0.2616};
        for (int c = 0; c < 3; c++) {
            assertEquals(publishedMean[c], stats.mean(c), 0.001, "mean of channel " + c);
            assertEquals(publishedStd[c], stats.std(c), 0.005, "std of channel " + c);
        }
        assertEquals(50000, stats.images());
    }

    @Test
    void resultDoesNotDependOnHowRecordsAreSplitIntoFiles(@TempDir Path dir) throws IOException {
        byte[] raw = CifarTestFiles.bytes(CifarTestFiles.repoSample().resolve("data_batch_1.bin"));
        // 1,999 records in the first file: chunk boundaries fall differently than in the single file.
        Files.write(dir.resolve("data_batch_1.bin"), Arrays.copyOfRange(raw, 0, 1999 * RECORD));
        Files.write(dir.resolve("data_batch_4.bin"), Arrays.copyOfRange(raw, 1999 * RECORD, raw.length));
        CifarSource split = CifarSource.open(dir.toString());
        CifarSource whole = CifarSource.open(CifarTestFiles.repoSample().toString());

        ChannelStatistics fromSplit = ChannelStatistics.compute(split.trainingFiles(), reader);
        ChannelStatistics reversed = ChannelStatistics.compute(
                List.of(split.trainingFiles().get(1), split.trainingFiles().get(0)), reader);
        ChannelStatistics fromWhole = ChannelStatistics.compute(whole.trainingFiles(), reader);
        assertEquals(fromWhole, fromSplit, "bit-identical whatever the file split");
        assertEquals(fromWhole, reversed, "bit-identical whatever the file order");
    }

    @Test
    void survivesJsonAndJavaSerialization() throws Exception {
        ChannelStatistics stats = ChannelStatistics.compute(
                CifarSource.open(CifarTestFiles.repoSample().toString()).trainingFiles(), reader);
        Map<String, Number> map = stats.toMap();
        assertEquals(List.of("mean_red", "mean_green", "mean_blue", "std_red", "std_green", "std_blue", "images"),
                List.copyOf(map.keySet()));

        ObjectMapper json = new ObjectMapper();
        String text = json.writeValueAsString(map);
        Map<String, Number> parsed = json.readValue(text, new TypeReference<LinkedHashMap<String, Number>>() {
        });
        assertEquals(stats, ChannelStatistics.fromMap(parsed), text);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(stats);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(stats, in.readObject());
        }
    }

    @Test
    void incompleteOrInvalidMapIsBadInput() {
        ChannelStatistics stats = new ChannelStatistics(new double[]{0.5, 0.4, 0.3}, new double[]{0.2, 0.2, 0.2}, 10);
        Map<String, Number> missing = new LinkedHashMap<>(stats.toMap());
        missing.remove("std_green");
        BadInputException e = assertThrows(BadInputException.class, () -> ChannelStatistics.fromMap(missing));
        assertTrue(e.getMessage().contains("'std_green'"), e.getMessage());

        Map<String, Number> zeroStd = new LinkedHashMap<>(stats.toMap());
        zeroStd.put("std_blue", 0.0);
        BadInputException z = assertThrows(BadInputException.class, () -> ChannelStatistics.fromMap(zeroStd));
        assertTrue(z.getMessage().contains("std_blue"), z.getMessage());
    }

    @Test
    void normalizeUsesTheChannelsOwnMeanAndStd() {
        ChannelStatistics stats = new ChannelStatistics(new double[]{0.5, 0.4, 0.3}, new double[]{0.25, 0.2, 0.1}, 10);
        assertEquals((200 / 255.0 - 0.5) / 0.25, stats.normalize(0, 200), 1e-15);
        assertEquals((0 - 0.4) / 0.2, stats.normalize(1, 0), 1e-15);
        assertEquals((1.0 - 0.3) / 0.1, stats.normalize(2, 255), 1e-15);
    }
}
