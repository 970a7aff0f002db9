package io.github.bluegreen.core;

/** One HTTP answer from an app on the server: status code and body. */
public record HttpResult(int status, String body) {

    /**
     * Spring Boot actuator's verdict: HTTP 200 and a JSON object whose top-level {@code "status"} is {@code "UP"}. A
     * component's {@code "status":"UP"} inside {@code "components"} does not count: the top level decides.
     */
    public boolean isUp() {
        return status == 200 && "UP".equals(topLevelStatus(body));
    }

    /** The string value of the key {@code status} of the top-level JSON object, or null. */
    static String topLevelStatus(String json) {
        int depth = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                int end = endOfString(json, i);
                if (end < 0) {
                    return null;
                }
                int colon = skipBlanks(json, end + 1);
                if (depth == 1 && json.substring(i + 1, end).equals("status") && colon < json.length() && json.charAt(colon) == ':') {
                    int value = skipBlanks(json, colon + 1);
                    int valueEnd = value < json.length() && json.charAt(value) == '"' ? endOfString(json, value) : -1;
                    return valueEnd < 0 ? null : json.substring(value + 1, valueEnd);
                }
                i = end;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return null;
    }

    /** The index of the quote that ends the JSON string starting at {@code start}, or -1. */
    private static int endOfString(String json, int start) {
        for (int i = start + 1; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static int skipBlanks(String json, int from) {
        int i = from;
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Short form for logs and error messages. */
    public String summary() {
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return "HTTP " + status + " " + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine);
    }
}
