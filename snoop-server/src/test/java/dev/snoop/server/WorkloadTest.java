package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.snoop.core.report.Report;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # pod                  | labels                                                         | kind        | name
            shop-7d9c5f-x2x4q      | pod-template-hash=7d9c5f                                       | Deployment  | shop
            my-app-v2-5b8d-abcde   | pod-template-hash=5b8d                                         | Deployment  | my-app-v2
            db-0                   | statefulset.kubernetes.io/pod-name=db-0                        | StatefulSet | db
            web-db-12              | statefulset.kubernetes.io/pod-name=web-db-12                   | StatefulSet | web-db
            agent-9xk2p            | controller-revision-hash=6f7,pod-template-generation=1         | DaemonSet   | agent
            backup-28391-q8w7e     | job-name=backup-28391                                          | Job         | backup-28391
            debug                  | app=debug                                                      | Pod         | debug
            shop-abc-x2x4q         | pod-template-hash=7d9c5f                                       | Pod         | shop-abc-x2x4q
            null                   | app=x                                                          | Host        | ''
            """)
    void testOf_fromPodNameAndLabels(String pod, String labels, String kind, String name) {
        Map<String, String> map = new java.util.TreeMap<>();
        for (String pair : labels.split(",")) {
            String[] kv = pair.split("=", 2);
            map.put(kv[0], kv[1]);
        }
        Report report = new Report(1, pod, "ns", map, null, null, 0, 0, 0, List.of());
        assertEquals(new Workload("ns", kind, name), Workload.of(report));
    }
}
