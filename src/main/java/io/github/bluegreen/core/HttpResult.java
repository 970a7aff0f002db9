package io.github.bluegreen.core;

import java.util.regex.Pattern;

/** One HTTP answer from an app on the server: status code and body. */
public record HttpResult(int status, String body) {
    private static final Pattern STATUS_UP = Pattern.compile("\"status\"\\s*:\\s*\"UP\"");

    /** Spring Boot actuator's verdict: HTTP 200 and {@code "status":"UP"} in the JSON body. */
    public boolean isUp() {
        return status == 200 && STATUS_UP.matcher(body).find();
    }

    /** Short form for logs and error messages. */
    public String summary() {
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return "HTTP " + status + " " + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine);
    }
}
