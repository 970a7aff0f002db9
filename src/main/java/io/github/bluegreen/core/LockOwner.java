package io.github.bluegreen.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Who holds the deploy lock: written into the lock file, shown to anyone who is refused. */
public record LockOwner(String deployId, String user, String host, long pid, Instant since) {

    String text() {
        return "deployId=" + deployId + "\nuser=" + user + "\nhost=" + host + "\npid=" + pid + "\nsince=" + since + "\n";
    }

    /** From the {@code owner.*} keys the lock command prints when the lock is held. */
    static LockOwner parse(Map<String, String> values) {
        try {
            return new LockOwner(values.get("owner.deployId"), values.get("owner.user"), values.get("owner.host"),
                    Long.parseLong(values.getOrDefault("owner.pid", "0")), Instant.parse(values.get("owner.since")));
        } catch (RuntimeException e) {
            return new LockOwner(values.getOrDefault("owner.deployId", "?"), "?", "?", 0, Instant.EPOCH);
        }
    }

    /** The deploy id in a lock file's text, or null. */
    static String deployIdOf(String lockText) {
        return lockText.lines().filter(line -> line.startsWith("deployId=")).map(line -> line.substring(9)).findFirst().orElse(null);
    }

    /** True if the owner ran on this machine and its Maven process is gone: a killed deploy. */
    boolean isDeadOnThisHost(String thisHost) {
        return host.equals(thisHost) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    String describe(Instant now) {
        return "deploy " + deployId + " by " + user + "@" + host + " (Maven PID " + pid + "), started "
                + Durations.format(Duration.between(since, now)) + " ago";
    }
}
