package io.github.bluegreen.core;

/** Where things live on the server, under the base directory (default {@code ~/bluegreen/<appName>}). */
public record ServerLayout(String base) {

    /** Resolves a leading {@code ~/} against the server user's home. */
    public static ServerLayout of(String baseDir, String home) {
        String base = baseDir.startsWith("~/") ? home + baseDir.substring(1) : baseDir;
        return new ServerLayout(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    }

    public String stateFile() {
        return base + "/state.properties";
    }

    public String historyFile() {
        return base + "/history.log";
    }

    public String lockFile() {
        return base + "/deploy.lock";
    }

    public String releases() {
        return base + "/releases";
    }

    public String release(String deployId) {
        return releases() + "/" + deployId;
    }

    /** The output of one release on one port, appended to by every start (a rollback starts a release again). */
    public String log(String release, int port) {
        return release(release) + "/" + port + ".log";
    }

    /** The app's environment variables for the instance on {@code port}: readable by the deploy user only. */
    public String environmentFile(int port) {
        return base + "/instances/" + port + ".env";
    }
}
