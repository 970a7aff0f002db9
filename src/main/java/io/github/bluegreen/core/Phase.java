package io.github.bluegreen.core;

/** How far the current deploy got; recorded in the state file after each goal. */
public enum Phase {
    DETECTED, STARTED, HEALTHY, SWITCHED, DONE, FAILED
}
