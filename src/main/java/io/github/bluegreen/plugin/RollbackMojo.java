package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployFailedException;
import io.github.bluegreen.core.Fleet;
import io.github.bluegreen.core.SetupException;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Goes back to the previous release, with the same steps as a deploy: if its instance still runs (see
 * {@code keepOldSeconds}) only nginx is switched back; otherwise its jar from {@code releases/} is started on
 * the idle port, health-checked, switched to, and the current release is drained and stopped.
 */
@Mojo(name = "rollback", threadSafe = true)
public class RollbackMojo extends AbstractBlueGreenMojo {

    @Inject
    public RollbackMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected String goal() {
        return "rollback";
    }

    @Override
    protected void run(Fleet fleet) throws SetupException, DeployFailedException {
        fleet.rollback();
    }

    @Override
    protected boolean endsADeploy() {
        return true;
    }
}
