package bnscope.core.runtime;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts ND4J/DL4J on their fast CPU path and reports whether it took.
 *
 * <p>Two switches are needed with DL4J 1.0.0-M2 (docs/performance.md): the system property
 * {@value #HELPERS_PROPERTY}=false, read each time a layer creates its helper, and the
 * {@code org.nd4j.nativeblas.Nd4jCpu} bridge class in this module. The oneDNN native build is chosen
 * by {@value #PLATFORM_EXTENSION_PROPERTY}, which must be set before ND4J first loads; the launch
 * scripts pass it on the command line and {@link #configure()} sets it if it is still missing.
 */
public final class NativeBackend {
    public static final String HELPERS_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";
    public static final String PLATFORM_EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** The native build this project ships with (see the nd4j.classifier property in pom.xml). */
    public static final String DEFAULT_EXTENSION = "-onednn";

    private NativeBackend() {
    }

    /**
     * Sets the properties the fast path needs. Call before the first ND4J use in a JVM (the
     * platform extension) and before networks are built (the helpers switch).
     */
    public static void configure() {
        if (System.getProperty(PLATFORM_EXTENSION_PROPERTY) == null && !isCudaBackendRequested()) {
            System.setProperty(PLATFORM_EXTENSION_PROPERTY, DEFAULT_EXTENSION);
        }
        if (System.getProperty(HELPERS_PROPERTY) == null) {
            System.setProperty(HELPERS_PROPERTY, "false");
        }
        if (isCudaBackendRequested()) {
            requireSupportedGpus();
        }
    }

    private static volatile boolean gpusChecked;

    /**
     * With the CUDA build: stops with a one-paragraph {@link bnscope.core.BadInputException} when a
     * visible GPU cannot run its kernels ({@link GpuCompatibility}), once per JVM. It asks nvidia-smi
     * first, before ND4J loads the CUDA library (an unsupported device may fail inside ND4J's own
     * start-up), then ND4J's device list. A no-op on the CPU build.
     */
    public static void requireSupportedGpus() {
        if (gpusChecked || !isCudaBackendRequested()) {
            return;
        }
        GpuCompatibility.requireSupported(GpuCompatibility.devicesFromNvidiaSmi());
        GpuCompatibility.requireSupported(GpuCompatibility.devicesFromNd4j(Nd4j.getExecutioner().getEnvironmentInformation()));
        gpusChecked = true;
    }

    private static boolean isCudaBackendRequested() {
        return NativeBackend.class.getClassLoader().getResource("org/nd4j/linalg/jcublas/JCublasBackend.class") != null;
    }

    /** "CPU" or "CUDA", as ND4J reports it. */
    public static String backendName() {
        return Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
    }

    /** Whether the loaded native library has oneDNN switched on. */
    public static boolean oneDnnAvailable() {
        try {
            return org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN();
        } catch (Throwable notCpuBackend) {
            return false;
        }
    }

    /**
     * The helper class each layer of {@code net} uses, by layer index and type ("none" where the
     * layer runs DL4J's built-in Java path). This is how a run proves it is on the fast path.
     */
    public static Map<String, String> layerHelpers(MultiLayerNetwork net) {
        Map<String, String> helpers = new LinkedHashMap<>();
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            Layer layer = layers[i];
            String name = i + ":" + layer.getClass().getSimpleName();
            LayerHelper helper = helperOf(layer);
            if (helper != null) {
                helpers.put(name, helper.getClass().getSimpleName());
            } else if (hasHelperSlot(layer)) {
                helpers.put(name, "none");
            }
        }
        return helpers;
    }

    /** True when every layer that can use a helper has one. */
    public static boolean allHelpersActive(MultiLayerNetwork net) {
        return layerHelpers(net).values().stream().noneMatch("none"::equals);
    }

    private static boolean hasHelperSlot(Layer layer) {
        return layer instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer
                || layer instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization
                || layer instanceof org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
    }

    private static LayerHelper helperOf(Layer layer) {
        if (layer instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer c) {
            return c.getHelper();
        }
        if (layer instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization b) {
            return b.getHelper();
        }
        if (layer instanceof org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer s) {
            return s.getHelper();
        }
        return null;
    }
}
