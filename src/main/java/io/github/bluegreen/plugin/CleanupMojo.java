package io.github.bluegreen.plugin;

import io.github.bluegreen.core.Step;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/** Waits until nginx's old workers have finished, stops the old version gracefully, prunes old releases and releases the lock. */
@Mojo(name = "cleanup", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class CleanupMojo extends AbstractStepMojo {

    @Inject
    public CleanupMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Step step() {
        return Step.CLEANUP;
    }

    @Override
    protected boolean endsADeploy() {
        return true;
    }
}
