package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployConfig;
import io.github.bluegreen.core.SetupException;
import io.github.bluegreen.core.Step;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/** Uploads the jar, checks it on the server, frees the target port of a stale instance of this app and starts the new version detached. */
@Mojo(name = "start", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class StartMojo extends AbstractStepMojo {

    @Inject
    public StartMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Step step() {
        return Step.START;
    }

    @Override
    protected void checkLocalInputs(DeployConfig config) throws SetupException {
        checkArtifact(config);
    }
}
