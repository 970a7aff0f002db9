package io.github.bluegreen.plugin;

import io.github.bluegreen.core.Fleet;
import io.github.bluegreen.core.SetupException;
import io.github.bluegreen.core.StatusReport;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Shows what runs on the server, changing nothing: the live port, each port's PID, uptime, health and release,
 * who deployed it, the lock holder, and the last deploys.
 */
@Mojo(name = "status", threadSafe = true)
public class StatusMojo extends AbstractBlueGreenMojo {

    /** How many entries of the deploy history to show. */
    @Parameter(property = "bluegreen.history", defaultValue = "10")
    private int history;

    @Inject
    public StatusMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected String goal() {
        return "status";
    }

    @Override
    protected void run(Fleet fleet) throws SetupException {
        for (Fleet.Member member : fleet.members()) {
            if (member.deployment() == null) {
                getLog().warn(fleet.label(member) + "cannot be reached: " + member.unreachable());
                continue;
            }
            StatusReport.of(member.deployment(), history).forEach(line -> getLog().info(fleet.label(member) + line));
        }
    }
}
