package io.github.bluegreen.core;

/**
 * A verdict: the deploy was stopped safely (unhealthy new version, refused port, failed nginx config test).
 * Traffic, nginx and the live app are as they were.
 */
public final class DeployFailedException extends BlueGreenException {
    public DeployFailedException(String message) {
        super(message, null);
    }
}
