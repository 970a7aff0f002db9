package io.github.bluegreen.core;

/**
 * How far a deploy got, recorded in the state file after each goal; the order of the constants is the order of a
 * deploy. For each phase a deploy can be cut off in, what the next deploy finds and does: the protocol a reader sees
 * in one place (the README's "Protocol" table is checked against it). Whatever the phase says, nginx's include and
 * the ports' owners decide what is live: the instance nginx routes to is never stopped, and a process that is not
 * this app's is never touched.
 */
public enum Phase {
    DETECTED("the live instance, unchanged",
            "the new instance, if start launched it before the cut (the server records it); it never served, so it is not drained",
            "takes the lock over (its holder is dead), records the deploy as INTERRUPTED, start replaces that instance"),
    STARTED("the live instance, unchanged",
            "the new instance (it never served: not drained)",
            "as after DETECTED"),
    HEALTHY("the live instance, or the new one if the switch ran on the server before the cut: nginx's include says which;"
            + " a switch cut off halfway (its journal is left) is settled first: to the new instance if it runs and answers UP, else back",
            "the instance on the port nginx does not route to, once the nginx workers that used it are gone",
            "settles nginx, keeps what it routes to, start replaces the other instance"),
    CANARY("the live instance, and a share of the requests to the new one (the include names both)",
            "neither, while the include names it; the new instance once nginx routes to the live one only and its workers that used"
            + " the new one are gone",
            "routes every request to the live instance again (a canary's step cut off halfway too: it never settles forward),"
            + " records INTERRUPTED, start replaces the new instance"),
    SWITCHED("the new release (the switch is done)",
            "the old instance, once the nginx workers that used it are gone (what cleanup would have done)",
            "keeps the new release live; start stops the old instance"),
    DONE("the deploy's release",
            "an instance of this app on the other port (one kept for rollback, or left by a failed start)",
            "nothing to recover"),
    FAILED("the instance that was live before the deploy (or its release, if it failed after the switch)",
            "as after DONE",
            "nothing to recover");

    private final String live;
    private final String mayBeStopped;
    private final String recovery;

    Phase(String live, String mayBeStopped, String recovery) {
        this.live = live;
        this.mayBeStopped = mayBeStopped;
        this.recovery = recovery;
    }

    /** True while a deploy in this phase is still going (or was cut off): DONE and FAILED are ends. */
    public boolean unfinished() {
        return this != DONE && this != FAILED;
    }

    /** The protocol as a Markdown table: the README's "Protocol" section shows exactly this. */
    public static String table() {
        StringBuilder table = new StringBuilder("| phase left behind | nginx routes to | may be stopped | the next deploy |\n|---|---|---|---|\n");
        for (Phase phase : values()) {
            table.append("| `").append(phase).append("` | ").append(phase.live).append(" | ").append(phase.mayBeStopped)
                    .append(" | ").append(phase.recovery).append(" |\n");
        }
        return table.toString();
    }
}
