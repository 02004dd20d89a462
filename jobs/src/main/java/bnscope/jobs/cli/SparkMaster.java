package bnscope.jobs.cli;

import bnscope.core.BadInputException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a {@code spark://} master before Spark starts: Spark itself retries an unreachable master
 * for a minute, logs the connection errors and then fails with an unrelated "LiveListenerBus is
 * stopped", so the user is told up front which address refused and what to check.
 */
final class SparkMaster {
    static final int DEFAULT_PORT = 7077;
    static final int CONNECT_TIMEOUT_MS = 5_000;

    private SparkMaster() {
    }

    /** Throws BadInputException when no master of {@code url} (spark://H:P[,H:P...]) accepts a connection. */
    static void requireReachable(String url) {
        if (url == null || !url.startsWith("spark://")) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (String hostPort : url.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? DEFAULT_PORT : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new BadInputException("--master " + url + ": '" + hostPort + "' is not HOST:PORT. Give the master's "
                        + "address as spark://HOST:PORT (port 7077 by default).");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return;
            } catch (UnknownHostException e) {
                failures.add(hostPort + ": unknown host");
            } catch (ConnectException e) {
                failures.add(hostPort + ": connection refused (nothing listens there)");
            } catch (SocketTimeoutException e) {
                failures.add(hostPort + ": no answer within " + CONNECT_TIMEOUT_MS / 1000 + " s");
            } catch (IOException | IllegalArgumentException e) {
                failures.add(hostPort + ": " + e.getMessage());
            }
        }
        throw new BadInputException("Cannot reach the Spark master " + url + " (" + String.join("; ", failures) + "). "
                + "Check that the master is running ($SPARK_HOME/sbin/start-master.sh, or scripts/cluster.sh), that "
                + "HOST:PORT is the address its web UI shows as URL spark://... (port 7077 by default, not the web UI's "
                + "8080), and that no firewall is in the way; or leave out --master to run on an embedded local Spark. "
                + "Nothing was started or written.");
    }
}
