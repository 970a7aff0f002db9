package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployConfig;
import io.github.bluegreen.core.SetupException;
import io.github.bluegreen.core.Step;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/** Takes the deploy lock and decides which port is live (nginx's include) and which one the new version gets. */
@Mojo(name = "detect", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class DetectMojo extends AbstractStepMojo {

    @Inject
    public DetectMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Step step() {
        return Step.DETECT;
    }

    @Override
    protected void checkLocalInputs(DeployConfig config) throws SetupException {
        checkArtifact(config);
    }
}
