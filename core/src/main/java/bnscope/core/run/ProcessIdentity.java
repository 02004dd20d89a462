package bnscope.core.run;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A process as a run directory records it (lock holder, last manifest writer): host name and pid.
 * Whether it still runs can be told only on the same host.
 */
public record ProcessIdentity(String host, long pid) {
    private static final ProcessIdentity CURRENT = new ProcessIdentity(localHost(), ProcessHandle.current().pid());

    public static ProcessIdentity current() {
        return CURRENT;
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown-host" : env;
        }
    }

    /** True when this process runs on this host; empty when it is on another host (cannot tell). */
    public Optional<Boolean> aliveHere() {
        if (host == null || !host.equals(CURRENT.host)) {
            return Optional.empty();
        }
        return Optional.of(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Override
    public String toString() {
        return "pid " + pid + " on " + host;
    }
}
