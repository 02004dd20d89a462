package bnscope.core.runtime;

import bnscope.core.BadInputException;
import bnscope.core.runtime.GpuCompatibility.Capability;
import bnscope.core.runtime.GpuCompatibility.Device;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.*;

class GpuCompatibilityTest {
    private static Capability cc(String s) {
        return Capability.parse(s);
    }

    @Test
    void cubinsServeTheirOwnMajorVersionUpwardAndNothingNewer() {
        // exact cubins
        for (String s : List.of("3.7", "5.0", "5.2", "6.0", "6.1", "7.0", "7.5", "8.0", "8.6")) {
            assertEquals(cc(s), GpuCompatibility.cubinFor(cc(s)), s);
        }
        // binary compatible within a major version: Jetson Nano 5.3 -> 5.2, Xavier 7.2 -> 7.0, Orin 8.7 and Ada 8.9 -> 8.6
        assertEquals(cc("5.2"), GpuCompatibility.cubinFor(cc("5.3")));
        assertEquals(cc("7.0"), GpuCompatibility.cubinFor(cc("7.2")));
        assertEquals(cc("8.6"), GpuCompatibility.cubinFor(cc("8.7")));
        assertEquals(cc("8.6"), GpuCompatibility.cubinFor(cc("8.9")));
        // no PTX: nothing runs on a newer major version, nor below the oldest cubin of a major
        for (String s : List.of("9.0", "10.0", "12.0", "3.5", "3.0", "2.1")) {
            assertFalse(GpuCompatibility.supports(cc(s)), s);
            assertNull(GpuCompatibility.cubinFor(cc(s)), s);
        }
    }

    @Test
    void anUnsupportedDeviceStopsWithOneParagraphNamingItAndTheBuildsRange() {
        List<Device> devices = List.of(new Device(0, "NVIDIA A100-SXM4-80GB", cc("8.0")),
                new Device(1, "NVIDIA H100 80GB HBM3", cc("9.0")));
        BadInputException e = assertThrows(BadInputException.class, () -> GpuCompatibility.requireSupported(devices));
        String m = e.getMessage();
        assertTrue(m.startsWith("GPU 1 (NVIDIA H100 80GB HBM3, compute capability 9.0) is not supported"), m);
        assertFalse(m.contains("GPU 0"), m);
        assertTrue(m.contains("3.7, 5.0, 5.2, 6.0, 6.1, 7.0, 7.5, 8.0, 8.6"), m);
        assertTrue(m.contains("CPU build"), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void supportedOrNoDevicesPass() {
        GpuCompatibility.requireSupported(List.of());
        GpuCompatibility.requireSupported(List.of(new Device(0, "Tesla T4", cc("7.5")), new Device(1, "NVIDIA L4", cc("8.9"))));
    }

    @Test
    void readsNvidiaSmiLinesAndNd4jEnvironment() {
        Device d = GpuCompatibility.parseNvidiaSmiLine("0, NVIDIA H100 80GB HBM3, 9.0");
        assertEquals(new Device(0, "NVIDIA H100 80GB HBM3", cc("9.0")), d);
        assertNull(GpuCompatibility.parseNvidiaSmiLine("Failed to initialize NVML: Driver/library version mismatch"));
        assertNull(GpuCompatibility.parseNvidiaSmiLine("0, Tesla K80, [N/A]"));

        Properties env = new Properties();
        env.put("cuda.devicesInformation", List.of(
                Map.of("cuda.deviceName", "Tesla V100-SXM2-16GB", "cuda.deviceMajor", 7, "cuda.deviceMinor", 0),
                Map.of("cuda.deviceName", "NVIDIA H200", "cuda.deviceMajor", 9L, "cuda.deviceMinor", 0L)));
        List<Device> devices = GpuCompatibility.devicesFromNd4j(env);
        assertEquals(List.of(new Device(0, "Tesla V100-SXM2-16GB", cc("7.0")), new Device(1, "NVIDIA H200", cc("9.0"))), devices);
        assertTrue(GpuCompatibility.devicesFromNd4j(new Properties()).isEmpty(), "CPU backend: no devices");
        assertThrows(BadInputException.class, () -> GpuCompatibility.requireSupported(devices));
    }
}
