package skillweave;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Neo4j 5 Community with its Bolt connector on loopback, for Skillweave's tests and benchmarks.
 *
 * <p>Usage: {@code Neo4jTestServer <data-folder> <bolt-port> [page-cache-mb] [setting=value ...]},
 * with the
 * password of user {@code neo4j} in the environment variable {@code NEO4J_TEST_PASSWORD}.
 * Prints {@code READY <port> <version>} on stdout once Bolt answers, and shuts down cleanly when
 * its standard input closes (so it never outlives the process that started it) or on SIGTERM.
 */
public final class Neo4jTestServer {
    private Neo4jTestServer() {}

    public static void main(String[] args) {
        try {
            serve(args);
        } catch (Throwable error) {
            // Neo4j's own threads would keep the JVM alive after a failed start.
            error.printStackTrace();
            System.exit(70);
        }
    }

    private static void serve(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println(
                    "usage: Neo4jTestServer <data-folder> <bolt-port> [page-cache-mb] [setting=value ...]");
            System.exit(64);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        long pageCacheMb = args.length > 2 ? Long.parseLong(args[2]) : 512;
        // Further settings, by their names in neo4j.conf, go through a file the builder reads.
        Path extra = home.resolve("extra.conf");
        java.nio.file.Files.createDirectories(home);
        java.nio.file.Files.write(extra, java.util.Arrays.asList(args).subList(Math.min(3, args.length), args.length));
        String password = System.getenv("NEO4J_TEST_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("set NEO4J_TEST_PASSWORD (8 characters or more)");
            System.exit(64);
        }

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(extra)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // Tests send wrong passwords on purpose; no lock-out of the user after them.
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(5))
                // A test server stops many times a session: no 5 s quiet periods (Bolt's
                // connection wait and Netty's) when nothing is left to drain.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
                .build();
        Thread stopper = new Thread(dbms::shutdown, "neo4j-shutdown");
        Runtime.getRuntime().addShutdownHook(stopper);

        // The embedded API bypasses authentication, so the system database sets the password.
        // Neo4j refuses a new password equal to the old one (a restart on the same folder), so
        // it goes through a random one first.
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        for (String next : new String[] {java.util.UUID.randomUUID().toString(), password}) {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    java.util.Map.of("password", next));
        }
        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        db.executeTransactionally("RETURN 1");
        waitForBolt(port);

        String version = org.neo4j.kernel.internal.Version.getNeo4jVersion();
        System.out.println("READY " + port + " " + version);
        System.out.flush();

        InputStream in = System.in;
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // Nothing is read from stdin; its end is the signal to stop.
        }
        Runtime.getRuntime().removeShutdownHook(stopper);
        long started = System.nanoTime();
        dbms.shutdown();
        System.err.printf("stopped in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        System.exit(0);
    }

    private static void waitForBolt(int port) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException error) {
                if (System.nanoTime() > deadline) {
                    throw error;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw error;
                }
            }
        }
    }
}
