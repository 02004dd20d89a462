package bnscope.core.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deterministic training order: reproducibility, coverage per epoch, and a fair shuffle. */
class MinibatchPlanTest {
    private static final int[] COUNTS = {700, 500, 300}; // 1,500 records in three files
    private static final int BATCH = 128;                 // does not divide 1,500: steps straddle epochs

    @Test
    void sameSeedGivesTheSamePlanAndOtherSeedsDiffer() {
        MinibatchPlan a = new MinibatchPlan(42, COUNTS, BATCH, 40);
        MinibatchPlan b = new MinibatchPlan(42, COUNTS.clone(), BATCH, 40);
        for (int step = 39; step >= 0; step--) { // backwards: cache state must not matter
            assertEquals(a.minibatch(step), b.minibatch(step), "step " + step);
        }
        assertEquals(a.minibatch(7), a.minibatch(7));
        assertNotEquals(a.minibatch(0), new MinibatchPlan(43, COUNTS, BATCH, 40).minibatch(0));
    }

    @Test
    void everyRecordOccursExactlyOncePerEpoch() {
        int n = 1500;
        int steps = 3 * n / BATCH + 2; // three full epochs and part of a fourth
        MinibatchPlan plan = new MinibatchPlan(7, COUNTS, BATCH, steps);
        assertEquals(4, plan.epochs());
        List<Set<RecordRef>> seenPerEpoch = new ArrayList<>();
        long position = 0;
        for (int step = 0; step < steps; step++) {
            List<RecordRef> batch = plan.minibatch(step);
            assertEquals(BATCH, batch.size());
            assertEquals(position / n, plan.epochOf(step));
            for (RecordRef ref : batch) {
                int epoch = (int) (position / n);
                while (seenPerEpoch.size() <= epoch) {
                    seenPerEpoch.add(new HashSet<>());
                }
                assertTrue(ref.fileIndex() < COUNTS.length && ref.recordIndex() < COUNTS[ref.fileIndex()], ref.toString());
                assertTrue(seenPerEpoch.get(epoch).add(ref), ref + " twice in epoch " + epoch);
                position++;
            }
        }
        for (int e = 0; e < 3; e++) {
            assertEquals(n, seenPerEpoch.get(e).size(), "epoch " + e + " covers all records");
        }
        assertTrue(seenPerEpoch.get(3).size() < n);
    }

    @Test
    void epochsAreReshuffledAndAdjacentSeedsDoNotShareOrders() {
        MinibatchPlan plan = new MinibatchPlan(5, COUNTS, BATCH, 100);
        int[] e0 = plan.epochOrder(0);
        int[] e1 = plan.epochOrder(1);
        assertFalse(java.util.Arrays.equals(e0, e1));
        int[] sorted = e1.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        // Had epochs been seeded with seed+epoch, seed 6's epoch 0 would equal seed 5's epoch 1.
        assertFalse(java.util.Arrays.equals(e1, new MinibatchPlan(6, COUNTS, BATCH, 100).epochOrder(0)));
    }

    @Test
    void minibatchesMixFilesAndTheShuffleIsUniform() {
        MinibatchPlan plan = new MinibatchPlan(11, COUNTS, BATCH, 1);
        Set<Integer> files = new HashSet<>();
        plan.minibatch(0).forEach(r -> files.add(r.fileIndex()));
        assertEquals(Set.of(0, 1, 2), files);

        // Where record 0 of 10 lands over 5,000 epochs: a chi-square test for 9 degrees of freedom.
        MinibatchPlan small = new MinibatchPlan(3, new int[]{10}, 10, 5000);
        long[] landed = new long[10];
        for (int e = 0; e < 5000; e++) {
            int[] order = small.epochOrder(e);
            for (int i = 0; i < 10; i++) {
                if (order[i] == 0) {
                    landed[i]++;
                }
            }
        }
        double chi2 = 0;
        for (long c : landed) {
            chi2 += (c - 500.0) * (c - 500.0) / 500.0;
        }
        assertTrue(chi2 < 27.9, "chi-square " + chi2 + " (p < 0.001 above 27.9): " + java.util.Arrays.toString(landed));
    }

    @Test
    void locateMapsPoolIndicesToFilesAtTheBoundaries() {
        MinibatchPlan plan = new MinibatchPlan(1, COUNTS, BATCH, 1);
        assertEquals(new RecordRef(0, 0), plan.locate(0));
        assertEquals(new RecordRef(0, 699), plan.locate(699));
        assertEquals(new RecordRef(1, 0), plan.locate(700));
        assertEquals(new RecordRef(1, 499), plan.locate(1199));
        assertEquals(new RecordRef(2, 0), plan.locate(1200));
        assertEquals(new RecordRef(2, 299), plan.locate(1499));
        assertThrows(IllegalArgumentException.class, () -> plan.locate(1500));
    }

    @Test
    void survivesJavaSerializationForExecutors() throws Exception {
        MinibatchPlan plan = new MinibatchPlan(99, COUNTS, BATCH, 30);
        plan.minibatch(3); // fill the transient cache before serializing
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(plan);
        }
        MinibatchPlan copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (MinibatchPlan) in.readObject();
        }
        for (int step : new int[]{0, 11, 29}) {
            assertEquals(plan.minibatch(step), copy.minibatch(step));
        }
        assertArrayEquals(plan.recordsPerFile(), copy.recordsPerFile());
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MinibatchPlan(1, new int[0], 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new MinibatchPlan(1, new int[]{10}, 11, 1));
        assertThrows(IllegalArgumentException.class, () -> new MinibatchPlan(1, new int[]{10, 0}, 5, 1));
        MinibatchPlan plan = new MinibatchPlan(1, COUNTS, BATCH, 3);
        assertThrows(IllegalArgumentException.class, () -> plan.minibatch(3));
        assertThrows(IllegalArgumentException.class, () -> plan.minibatch(-1));
    }
}
