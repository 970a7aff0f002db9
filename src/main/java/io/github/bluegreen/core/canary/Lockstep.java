package io.github.bluegreen.core.canary;

import java.util.concurrent.Phaser;

/**
 * The hosts of a fleet that switches together take a canary's steps together: each step begins once every host
 * passed the one before, and a host whose canary fails (or whose deploy fails otherwise) makes the others end theirs.
 */
public final class Lockstep {
    private final Phaser phaser;
    private volatile String failure;

    public Lockstep(int hosts) {
        phaser = new Phaser(hosts);
    }

    /** Waits until every host still in the canary reached this point (the end of a step). */
    public void awaitOthers() {
        phaser.arriveAndAwaitAdvance();
    }

    /** This host leaves the canary; with a reason (its canary failed), every other host ends its canary too. */
    public void leave(String reason) {
        if (reason != null && failure == null) {
            failure = reason;
        }
        phaser.arriveAndDeregister();
    }

    /** Why another host's canary failed, or null. */
    public String failure() {
        return failure;
    }
}
