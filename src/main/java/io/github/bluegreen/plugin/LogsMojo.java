package io.github.bluegreen.plugin;

import io.github.bluegreen.core.AppLogs;
import io.github.bluegreen.core.Fleet;
import io.github.bluegreen.core.SetupException;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * The last lines of the live instance's output (or of the instance on {@code bluegreen.port}), from its log file or
 * its systemd journal; with {@code -Dfollow} it keeps printing new lines until interrupted (Ctrl-C).
 */
@Mojo(name = "logs", threadSafe = true)
public class LogsMojo extends AbstractBlueGreenMojo {

    /** How many of the last lines to show. */
    @Parameter(property = "bluegreen.lines", defaultValue = "100")
    private int lines;

    /** The instance's port; default: the one nginx routes to. */
    @Parameter(property = "bluegreen.port")
    private Integer port;

    /** Keep printing new lines until interrupted. */
    @Parameter(property = "follow", defaultValue = "false")
    private boolean follow;

    @Inject
    public LogsMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected String goal() {
        return "logs";
    }

    @Override
    protected void run(Fleet fleet) throws SetupException {
        if (follow && fleet.members().size() > 1) {
            throw new SetupException("follow", "-Dfollow follows one host's log: choose it with -Dbluegreen.host (without bluegreen.hosts)");
        }
        for (Fleet.Member member : fleet.members()) {
            if (member.deployment() == null) {
                getLog().warn(fleet.label(member) + "cannot be reached: " + member.unreachable());
                continue;
            }
            AppLogs.show(member.deployment(), port, lines, follow, line -> getLog().info(fleet.label(member) + line));
        }
    }
}
