package bnscope.core.surface;

import java.io.Serializable;
import java.util.Random;

/**
 * The seeds of one surface, all derived from the recorded direction seed: one for each direction
 * and one for the training sample, so a surface is repeated exactly from that one number.
 */
public record SurfaceSeeds(long direction, long x, long y, long sample) implements Serializable {

    public static SurfaceSeeds of(long directionSeed) {
        Random derive = new Random(directionSeed); // java.util.Random: its sequence is fixed by the Java specification
        return new SurfaceSeeds(directionSeed, derive.nextLong(), derive.nextLong(), derive.nextLong());
    }
}
