package io.github.bluegreen.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Who holds the deploy lock: written into the lock file, shown to anyone who is refused. It records enough to tell a
 * dead holder for sure: the host and its boot id, the PID namespace, the PID and that process's start time (a PID
 * alone is reused, and is known only in its namespace: containers on one kernel share the boot id, not their PIDs).
 *
 * @param kind     {@code deploy}, {@code rollback}, or {@code timer} (the server's keep-old timer)
 * @param pidStart the process's start: clock ticks since boot on Linux (as {@code /proc/PID/stat} says), else epoch ms
 */
public record LockOwner(String deployId, String kind, String user, String host, String bootId, String pidNamespace, long pid,
        String pidStart, Instant since) {

    /** This Maven process, about to hold the lock for {@code deployId}. */
    static LockOwner thisProcess(String deployId, String kind) {
        long pid = ProcessHandle.current().pid();
        return new LockOwner(deployId, kind, System.getProperty("user.name"), thisHost(), thisBootId(), thisPidNamespace(), pid,
                startOf(pid).orElse(""), Instant.now());
    }

    String text() {
        return "deployId=" + deployId + "\nkind=" + kind + "\nuser=" + user + "\nhost=" + host + "\nbootId=" + bootId
                + "\npidNs=" + pidNamespace + "\npid=" + pid + "\npidStart=" + pidStart + "\nsince=" + since;
    }

    /** From the {@code holder.*} keys the lock command prints when the lock is held. */
    static LockOwner parse(Map<String, String> values) {
        Instant since;
        long pid;
        try {
            since = Instant.parse(values.get("holder.since"));
            pid = Long.parseLong(values.get("holder.pid"));
        } catch (RuntimeException e) {
            since = Instant.EPOCH;
            pid = 0;
        }
        return new LockOwner(values.getOrDefault("holder.deployId", "?"), values.getOrDefault("holder.kind", "deploy"),
                values.getOrDefault("holder.user", "?"), values.getOrDefault("holder.host", "?"), values.getOrDefault("holder.bootId", ""),
                values.getOrDefault("holder.pidNs", ""), pid, values.getOrDefault("holder.pidStart", ""), since);
    }

    /**
     * Whether the holder still runs, as far as this machine can tell: "yes", "no", or "unknown" (it ran on another
     * machine). The server tells the same for holders that ran on the server.
     */
    String aliveHere() {
        if (!bootId.isEmpty() && bootId.equals(thisBootId())) {
            if (!pidNamespace.isEmpty() && !pidNamespace.equals(thisPidNamespace())) {
                return "unknown";   // another container on this kernel: its PIDs are not ours to look up
            }
            return runs() ? "yes" : "no";
        }
        if (host.equals(thisHost())) {
            // this machine: another boot (it ended with the reboot), or no boot ids to compare
            return !bootId.isEmpty() && !thisBootId().isEmpty() ? "no" : runs() ? "yes" : "no";
        }
        return "unknown";
    }

    /** The holder's PID runs, and is the same process if its start time is known. */
    private boolean runs() {
        return startOf(pid).filter(start -> pidStart.isEmpty() || pidStart.equals(start)).isPresent();
    }

    String describe(Instant now) {
        String who = kind.equals("timer") ? "the keep-old timer on the server (PID " + pid + ")"
                : (kind.equals("rollback") ? "rollback " : "deploy ") + deployId + " by " + user + "@" + host + " (Maven PID " + pid + ")";
        return who + ", started " + Durations.format(Duration.between(since, now)) + " ago";
    }

    static String thisHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }

    private static String thisPidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }

    private static String thisBootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** A process's start: Linux clock ticks since boot (field 22 of /proc/PID/stat), elsewhere epoch milliseconds. */
    static Optional<String> startOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields[0].startsWith("Z") ? Optional.empty() : Optional.of(fields[19]);
        } catch (IOException | RuntimeException e) {
            if (Files.isDirectory(Path.of("/proc/self"))) {
                return Optional.empty();
            }
            return ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()).map(start -> String.valueOf(start.toEpochMilli()));
        }
    }
}
