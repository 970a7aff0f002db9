package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployLog;
import org.apache.maven.plugin.logging.Log;

/** The core's progress messages in Maven's build log. */
final class MavenDeployLog implements DeployLog {
    private final Log log;
    private final String prefix;

    /** @param prefix before every line, e.g. the host's name in a fleet */
    MavenDeployLog(Log log, String prefix) {
        this.log = log;
        this.prefix = prefix;
    }

    @Override
    public void info(String message) {
        log.info(prefix + message);
    }

    @Override
    public void warn(String message) {
        log.warn(prefix + message);
    }

    @Override
    public void debug(String message) {
        log.debug(prefix + message);
    }
}
