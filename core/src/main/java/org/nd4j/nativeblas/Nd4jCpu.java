package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility bridge that switches DL4J 1.0.0-M2's oneDNN layer helpers back on.
 *
 * <p>deeplearning4j-nn M2 decides whether to use its fast oneDNN convolution, BatchNorm and pooling
 * helpers by reflecting on {@code org.nd4j.nativeblas.Nd4jCpu$Environment#isUseMKLDNN()}, but
 * nd4j-native M2 ships that binding as
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN()}. The failed
 * lookup silently selects the slow built-in path (5-8x slower). This class gives the lookup the
 * name it expects and forwards to the real binding. It reaches the binding reflectively so the
 * project also builds against the CUDA backend (where it answers "no oneDNN"). See docs/performance.md.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The environment handle DL4J's {@code BaseMKLDNNHelper} reflects on. */
    public static final class Environment {
        private static final String BINDING = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";
        private static final Environment INSTANCE = new Environment();

        private final Object native_;
        private final Class<?> type;

        private Environment() {
            Object env = null;
            Class<?> c = null;
            try {
                c = Class.forName(BINDING);
                env = c.getMethod("getInstance").invoke(null);
            } catch (ReflectiveOperationException | LinkageError notTheCpuBackend) {
                c = null;
            }
            this.type = c;
            this.native_ = env;
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        private Object call(String method, Class<?>[] types, Object... args) {
            if (native_ == null) {
                return null;
            }
            try {
                Method m = type.getMethod(method, types);
                return m.invoke(native_, args);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("nd4j-native binding has no " + method, e);
            }
        }

        /** Whether the native library was built with oneDNN and has it switched on. */
        public boolean isUseMKLDNN() {
            return Boolean.TRUE.equals(call("isUseONEDNN", new Class<?>[0]));
        }

        public void setUseMKLDNN(boolean use) {
            call("setUseONEDNN", new Class<?>[]{boolean.class}, use);
        }

        public boolean helpersAllowed() {
            return Boolean.TRUE.equals(call("helpersAllowed", new Class<?>[0]));
        }

        public void allowHelpers(boolean allow) {
            call("allowHelpers", new Class<?>[]{boolean.class}, allow);
        }
    }
}
