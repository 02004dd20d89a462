package bnscope.core.runtime;

import bnscope.core.BadInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Whether the GPUs of this machine can run the CUDA build ({@code mvn -Pcuda}) at all.
 *
 * <p>The native library of nd4j-cuda-11.6 1.0.0-M2.1 (linux-x86_64) holds compiled kernels (cubins)
 * for compute capabilities 3.7, 5.0, 5.2, 6.0, 6.1, 7.0, 7.5, 8.0 and 8.6 and no PTX (read from
 * its fatbin headers). A cubin runs on a device of the same major version and an equal or higher
 * minor version (CUDA's binary compatibility), and without PTX nothing can be compiled for a newer
 * major version. So the build serves Kepler (sm_37) through Ampere and Ada (sm_86, sm_87, sm_89) but
 * not Hopper (sm_90) or newer: there, every kernel launch fails with "no kernel image is available
 * for execution on the device", deep inside training. This class makes that decision up front, once
 * per JVM, from the devices' compute capabilities, and stops with one paragraph that says which GPU,
 * what the build supports and what to do.
 */
public final class GpuCompatibility {
    /** The compute capabilities nd4j-cuda-11.6 1.0.0-M2.1 carries cubins for (no PTX). */
    public static final List<Capability> BUILD_CUBINS = List.of(
            new Capability(3, 7), new Capability(5, 0), new Capability(5, 2), new Capability(6, 0), new Capability(6, 1),
            new Capability(7, 0), new Capability(7, 5), new Capability(8, 0), new Capability(8, 6));

    private GpuCompatibility() {
    }

    /** A CUDA compute capability, e.g. 8.6 for an RTX 3090 or A40, 9.0 for an H100. */
    public record Capability(int major, int minor) implements Comparable<Capability> {
        /** Parses "8.6" (as nvidia-smi prints it). */
        public static Capability parse(String text) {
            String[] parts = text.trim().split("\\.");
            if (parts.length != 2) {
                throw new IllegalArgumentException("not a compute capability: '" + text + "'");
            }
            return new Capability(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }

        @Override
        public int compareTo(Capability o) {
            return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
        }

        @Override
        public String toString() {
            return major + "." + minor;
        }
    }

    /** One GPU: its index, name and compute capability. */
    public record Device(int index, String name, Capability capability) {
    }

    /**
     * The cubin of the build that runs on {@code c}, or null: the highest one of the same major
     * version whose minor version does not exceed the device's.
     */
    public static Capability cubinFor(Capability c) {
        Capability best = null;
        for (Capability cubin : BUILD_CUBINS) {
            if (cubin.major() == c.major() && cubin.minor() <= c.minor() && (best == null || cubin.compareTo(best) > 0)) {
                best = cubin;
            }
        }
        return best;
    }

    /** Whether the build's kernels run on a device of capability {@code c}. */
    public static boolean supports(Capability c) {
        return cubinFor(c) != null;
    }

    /**
     * Fails with a one-paragraph {@link BadInputException} when any of {@code devices} cannot run
     * the build; does nothing when all can (or when there are none to judge).
     */
    public static void requireSupported(List<Device> devices) {
        List<Device> unsupported = devices.stream().filter(d -> !supports(d.capability())).toList();
        if (unsupported.isEmpty()) {
            return;
        }
        String which = unsupported.stream()
                .map(d -> "GPU " + d.index() + " (" + d.name() + ", compute capability " + d.capability() + ")")
                .collect(Collectors.joining(", "));
        throw new BadInputException(which + (unsupported.size() == 1 ? " is" : " are")
                + " not supported by bnscope's CUDA build: nd4j-cuda-11.6 1.0.0-M2.1 ships kernels for compute capabilities "
                + BUILD_CUBINS.stream().map(Capability::toString).collect(Collectors.joining(", "))
                + " (Kepler sm_37 through Ampere/Ada sm_86-89) and no PTX, so every kernel launch on this device would fail "
                + "with \"no kernel image is available\". Run on a GPU of a supported generation (e.g. V100, T4, A100, A10, "
                + "RTX 30/40, L4), restrict the executors to such GPUs (CUDA_VISIBLE_DEVICES), or use the CPU build "
                + "(the default `mvn package`, no -Pcuda). See README.md, \"GPU executors\".");
    }

    /**
     * The devices as {@code nvidia-smi --query-gpu=index,name,compute_cap} lists them, before any
     * CUDA library is loaded; empty when nvidia-smi is absent, fails, or is too old to print
     * {@code compute_cap} (drivers before 510).
     */
    public static List<Device> devicesFromNvidiaSmi() {
        List<Device> devices = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,name,compute_cap", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Device d = parseNvidiaSmiLine(line);
                    if (d != null) {
                        devices.add(d);
                    }
                }
            }
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return List.of();
            }
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        return devices;
    }

    /** One line of nvidia-smi's CSV ("0, NVIDIA H100 80GB HBM3, 9.0"), or null when it is not one. */
    static Device parseNvidiaSmiLine(String line) {
        String[] parts = line.split(",");
        if (parts.length < 3) {
            return null;
        }
        try {
            int index = Integer.parseInt(parts[0].trim());
            String name = String.join(",", java.util.Arrays.copyOfRange(parts, 1, parts.length - 1)).trim();
            return new Device(index, name, Capability.parse(parts[parts.length - 1]));
        } catch (IllegalArgumentException notADeviceLine) {
            return null;
        }
    }

    /**
     * The devices as ND4J's CUDA backend reports them in its environment information (keys
     * {@code cuda.devicesInformation}, {@code cuda.deviceName}, {@code cuda.deviceMajor},
     * {@code cuda.deviceMinor}); empty on the CPU backend.
     */
    public static List<Device> devicesFromNd4j(Properties environment) {
        Object list = environment.get("cuda.devicesInformation");
        List<Device> devices = new ArrayList<>();
        if (list instanceof List<?> entries) {
            int index = 0;
            for (Object entry : entries) {
                if (entry instanceof Map<?, ?> m && m.get("cuda.deviceMajor") != null && m.get("cuda.deviceMinor") != null) {
                    devices.add(new Device(index, String.valueOf(m.get("cuda.deviceName")),
                            new Capability(Integer.parseInt(String.valueOf(m.get("cuda.deviceMajor"))),
                                    Integer.parseInt(String.valueOf(m.get("cuda.deviceMinor"))))));
                }
                index++;
            }
        }
        return devices;
    }
}
