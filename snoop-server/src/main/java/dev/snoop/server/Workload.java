package dev.snoop.server;

import dev.snoop.core.report.Report;
import java.util.Map;

/**
 * What owns a recorded pod, told from the labels Kubernetes' controllers put on their pods, since
 * a report names the pod but not its owner: history is kept per workload, so it outlives the pods.
 *
 * @param namespace the pod's namespace, or "" for a host
 * @param kind Deployment, StatefulSet, DaemonSet, Job, Pod (no known owner) or Host (no pod)
 * @param name the owner's name; the pod's for a Pod, "" for a Host
 */
record Workload(String namespace, String kind, String name) {
    static final String POD_TEMPLATE_HASH = "pod-template-hash";
    static final String STATEFULSET_POD_NAME = "statefulset.kubernetes.io/pod-name";
    static final String CONTROLLER_REVISION_HASH = "controller-revision-hash";
    static final String POD_TEMPLATE_GENERATION = "pod-template-generation";
    static final String JOB_NAME = "job-name";

    static Workload of(Report report) {
        String namespace = report.namespace() == null ? "" : report.namespace();
        String pod = report.podName();
        if (pod == null || pod.isEmpty()) {
            return new Workload(namespace, "Host", "");
        }
        Map<String, String> labels = report.labels();
        String hash = labels.get(POD_TEMPLATE_HASH);
        if (hash != null && !hash.isEmpty()) {
            // a Deployment's ReplicaSet is NAME-HASH, its pods NAME-HASH-xxxxx
            int at = pod.lastIndexOf("-" + hash + "-");
            if (at > 0) {
                return new Workload(namespace, "Deployment", pod.substring(0, at));
            }
        }
        if (labels.containsKey(STATEFULSET_POD_NAME)) {
            int dash = pod.lastIndexOf('-');
            if (dash > 0 && pod.substring(dash + 1).chars().allMatch(Character::isDigit)) {
                return new Workload(namespace, "StatefulSet", pod.substring(0, dash));
            }
        }
        if (labels.containsKey(CONTROLLER_REVISION_HASH) && labels.containsKey(POD_TEMPLATE_GENERATION)) {
            int dash = pod.lastIndexOf('-');
            if (dash > 0) {
                return new Workload(namespace, "DaemonSet", pod.substring(0, dash));
            }
        }
        String job = labels.get(JOB_NAME);
        if (job != null && !job.isEmpty()) {
            return new Workload(namespace, "Job", job);
        }
        return new Workload(namespace, "Pod", pod);
    }
}
