package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeployStateTest {

    @Test
    void roundTripKeepsEveryValueIncludingSpecialCharacters() {
        DeployState state = new DeployState();
        state.deployId("20261125-101010-abcd");
        state.kind(DeployState.Kind.ROLLBACK);
        state.phase(Phase.SWITCHED);
        state.found(new DeployState.Instance(8081, 4242L, "123456", "r1", "/srv/my app/releases/r1/app.jar = x:y #z\\"),
                new DeployState.Instance(8080, null, null, null, null));
        state.failure("line one\nline two");
        state.startedAt(Instant.parse("2026-11-25T10:10:10Z"));
        state.steps().put(Step.START, new DeployState.StepTime(Instant.parse("2026-11-25T10:10:11Z"), 250));

        DeployState read = DeployState.parse(state.text());
        assertEquals(Phase.SWITCHED, read.phase());
        assertEquals(DeployState.Kind.ROLLBACK, read.kind());
        assertEquals(state.live(), read.live());
        assertEquals(state.previous(), read.previous());
        assertEquals("line one\nline two", read.failure());
        assertEquals(250, read.steps().get(Step.START).millis());
        assertEquals(state.text(), read.text());
    }

    @Test
    void aCorruptFileIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> DeployState.parse("phase=HALFWAY\n"));
        assertThrows(IllegalArgumentException.class, () -> DeployState.parse("live.port=eighty\n"));
        assertThrows(IllegalArgumentException.class, () -> DeployState.parse("live.port=8080\nlive.pid=12x\n"));
        assertThrows(IllegalArgumentException.class, () -> DeployState.parse("live.port=0\n"));
        assertThrows(IllegalArgumentException.class, () -> DeployState.parse("startedAt=yesterday\n"));
    }

    @Test
    void anEmptyFileIsAnEmptyState() {
        DeployState empty = DeployState.parse("");
        assertNull(empty.phase());
        assertNull(empty.live());
        assertEquals(new DeployState().text(), empty.text());
    }
}
