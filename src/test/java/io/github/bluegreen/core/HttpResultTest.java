package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpResultTest {

    @Test
    void upMeansStatus200AndTopLevelStatusUp() {
        assertTrue(new HttpResult(200, "{\"status\":\"UP\",\"groups\":[\"liveness\"]}").isUp());
        assertTrue(new HttpResult(200, "{ \"status\" : \"UP\" }").isUp());
        assertTrue(new HttpResult(200, "{\"components\":{\"db\":{\"status\":\"DOWN\"}},\"status\":\"UP\"}").isUp());
        assertFalse(new HttpResult(503, "{\"status\":\"UP\"}").isUp());
        assertFalse(new HttpResult(200, "{\"status\":\"DOWN\"}").isUp());
        assertFalse(new HttpResult(200, "<html>UP</html>").isUp());
    }

    @Test
    void aComponentThatIsUpDoesNotMakeADownAppUp() {
        // an app that maps DOWN to HTTP 200 (management.endpoint.health.status.http-mapping.down=200)
        String body = "{\"status\":\"DOWN\",\"components\":{\"ping\":{\"status\":\"UP\"},\"db\":{\"status\":\"DOWN\"}}}";
        assertFalse(new HttpResult(200, body).isUp());
        assertFalse(new HttpResult(200, "{\"components\":{\"ping\":{\"status\":\"UP\"}}}").isUp());
        assertFalse(new HttpResult(200, "{\"detail\":\"\\\"status\\\":\\\"UP\\\"\",\"status\":\"OUT_OF_SERVICE\"}").isUp());
    }

    @Test
    void topLevelStatusReadsOnlyTheOuterObject() {
        assertEquals("UP", HttpResult.topLevelStatus("{\"a\":[{\"status\":\"DOWN\"}],\"status\" :\n \"UP\"}"));
        assertNull(HttpResult.topLevelStatus("[{\"status\":\"UP\"}]"));
        assertNull(HttpResult.topLevelStatus("{\"status\":1}"));
        assertNull(HttpResult.topLevelStatus("{\"status\":\"UP"));
    }

    @Test
    void probeSendsAPlainGetAndParsesTheAnswer() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        String answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\r\n{\"status\":\"DOWN\"}";
        HttpResult result = HttpProbe.get(new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)), sent, 8080, "/actuator/health");

        assertEquals(new HttpResult(503, "{\"status\":\"DOWN\"}"), result);
        assertTrue(sent.toString(StandardCharsets.US_ASCII).startsWith("GET /actuator/health HTTP/1.0\r\nHost: 127.0.0.1:8080\r\n"));
        assertThrows(IOException.class, () -> HttpProbe.get(new ByteArrayInputStream(new byte[0]), sent, 8080, "/"));
        assertThrows(IOException.class, () -> HttpProbe.get(new ByteArrayInputStream("SSH-2.0-OpenSSH\r\n".getBytes()), sent, 8080, "/"));
    }
}
