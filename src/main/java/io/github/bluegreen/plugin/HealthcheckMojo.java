package io.github.bluegreen.plugin;

import io.github.bluegreen.core.Step;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/** Waits until the new version answers UP on its health endpoint; on failure stops it and leaves the live app and nginx untouched. */
@Mojo(name = "healthcheck", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class HealthcheckMojo extends AbstractStepMojo {

    @Inject
    public HealthcheckMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Step step() {
        return Step.HEALTHCHECK;
    }
}
