package org.nd4j.nativeblas;

/**
 * Compatibility bridge that switches DL4J 1.0.0-M2's oneDNN layer helpers back on.
 *
 * <p>deeplearning4j-nn M2 decides whether to use its fast oneDNN convolution, BatchNorm and pooling
 * helpers by reflecting on {@code org.nd4j.nativeblas.Nd4jCpu$Environment#isUseMKLDNN()}, but
 * nd4j-native M2 ships that binding as
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN()}. The failed
 * lookup silently selects the slow built-in path (5-8x slower). This class gives the lookup the
 * name it expects and forwards to the real binding. See docs/performance.md.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The environment handle DL4J's {@code BaseMKLDNNHelper} reflects on. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether the native library was built with oneDNN and has it switched on. */
        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }

        public void setUseMKLDNN(boolean use) {
            org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().setUseONEDNN(use);
        }

        public boolean helpersAllowed() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().helpersAllowed();
        }

        public void allowHelpers(boolean allow) {
            org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().allowHelpers(allow);
        }
    }
}
